// The discovery document's text (see discovery.h). "$ENDPOINT/" stands for the root URL.
#pragma once

#include <string_view>

namespace fleet::api::internal {

inline constexpr std::string_view kDiscoveryJson = R"json({
  "kind": "discovery#restDescription",
  "discoveryVersion": "v1",
  "id": "fleet:v1",
  "name": "fleet",
  "version": "v1",
  "title": "fleet API",
  "description": "Cluster-wide management of systemd units: submit, schedule, start and stop units and watch their state across machines.",
  "ownerDomain": "coreos.com",
  "ownerName": "CoreOS",
  "documentationLink": "https://github.com/coreos/fleet/blob/master/Documentation/api-v1.md",
  "protocol": "rest",
  "rootUrl": "$ENDPOINT/",
  "servicePath": "fleet/v1/",
  "baseUrl": "$ENDPOINT/fleet/v1/",
  "basePath": "/fleet/v1/",
  "batchPath": "batch",
  "parameters": {},
  "schemas": {
    "Machine": {
      "id": "Machine",
      "type": "object",
      "description": "A machine running fleetd.",
      "properties": {
        "id": {"type": "string", "description": "The machine ID (/etc/machine-id)."},
        "primaryIP": {"type": "string", "description": "The address other machines reach it at."},
        "metadata": {
          "type": "object",
          "description": "Metadata from fleetd's configuration, overlaid with what PATCH /machines set.",
          "additionalProperties": {"type": "string"}
        }
      }
    },
    "MachinePage": {
      "id": "MachinePage",
      "type": "object",
      "properties": {
        "machines": {"type": "array", "items": {"$ref": "Machine"}},
        "nextPageToken": {"type": "string"}
      }
    },
    "MachineMetadataOp": {
      "id": "MachineMetadataOp",
      "type": "object",
      "description": "One change of a machine's dynamic metadata.",
      "properties": {
        "op": {"type": "string", "enum": ["add", "remove", "replace"]},
        "path": {"type": "string", "description": "/<machineID>/metadata/<key>"},
        "value": {
          "type": "object",
          "description": "The new value; required by add and replace.",
          "properties": {"value": {"type": "string"}}
        }
      }
    },
    "MachineMetadataOps": {
      "id": "MachineMetadataOps",
      "type": "array",
      "items": {"$ref": "MachineMetadataOp"}
    },
    "UnitOption": {
      "id": "UnitOption",
      "type": "object",
      "description": "One line of a unit file.",
      "properties": {
        "section": {"type": "string"},
        "name": {"type": "string"},
        "value": {"type": "string"}
      }
    },
    "Unit": {
      "id": "Unit",
      "type": "object",
      "properties": {
        "name": {"type": "string", "description": "The unit's name, e.g. web@1.service."},
        "options": {
          "type": "array",
          "description": "The unit file's lines, in order: they define its text and hash.",
          "items": {"$ref": "UnitOption"}
        },
        "desiredState": {
          "type": "string",
          "description": "The state fleet drives the unit to.",
          "enum": ["inactive", "loaded", "launched"]
        },
        "currentState": {
          "type": "string",
          "description": "The state the unit has reached on its machine. Read-only.",
          "enum": ["inactive", "loaded", "launched"]
        },
        "machineID": {
          "type": "string",
          "description": "The machine the unit is scheduled to. Read-only."
        }
      }
    },
    "UnitPage": {
      "id": "UnitPage",
      "type": "object",
      "properties": {
        "units": {"type": "array", "items": {"$ref": "Unit"}},
        "nextPageToken": {"type": "string"}
      }
    },
    "UnitState": {
      "id": "UnitState",
      "type": "object",
      "description": "How one machine's systemd reports a unit.",
      "properties": {
        "name": {"type": "string"},
        "hash": {"type": "string", "description": "SHA1 of the unit as that machine loaded it."},
        "machineID": {"type": "string"},
        "systemdLoadState": {"type": "string"},
        "systemdActiveState": {"type": "string"},
        "systemdSubState": {"type": "string"}
      }
    },
    "UnitStatePage": {
      "id": "UnitStatePage",
      "type": "object",
      "properties": {
        "states": {"type": "array", "items": {"$ref": "UnitState"}},
        "nextPageToken": {"type": "string"}
      }
    }
  },
  "resources": {
    "Machines": {
      "methods": {
        "List": {
          "id": "fleet.Machines.List",
          "description": "Retrieve a page of Machine objects.",
          "httpMethod": "GET",
          "path": "machines",
          "parameters": {"nextPageToken": {"type": "string", "location": "query"}},
          "response": {"$ref": "MachinePage"}
        },
        "Patch": {
          "id": "fleet.Machines.Patch",
          "description": "Add, replace or remove dynamic metadata of machines.",
          "httpMethod": "PATCH",
          "path": "machines",
          "request": {"$ref": "MachineMetadataOps"}
        }
      }
    },
    "Units": {
      "methods": {
        "List": {
          "id": "fleet.Units.List",
          "description": "Retrieve a page of Unit objects.",
          "httpMethod": "GET",
          "path": "units",
          "parameters": {"nextPageToken": {"type": "string", "location": "query"}},
          "response": {"$ref": "UnitPage"}
        },
        "Get": {
          "id": "fleet.Units.Get",
          "description": "Retrieve a single Unit object.",
          "httpMethod": "GET",
          "path": "units/{unitName}",
          "parameters": {"unitName": {"type": "string", "location": "path", "required": true}},
          "parameterOrder": ["unitName"],
          "response": {"$ref": "Unit"}
        },
        "Delete": {
          "id": "fleet.Units.Delete",
          "description": "Delete the referenced Unit object.",
          "httpMethod": "DELETE",
          "path": "units/{unitName}",
          "parameters": {"unitName": {"type": "string", "location": "path", "required": true}},
          "parameterOrder": ["unitName"]
        },
        "Set": {
          "id": "fleet.Units.Set",
          "description": "Create a new Unit, replace its options, or modify its desired state.",
          "httpMethod": "PUT",
          "path": "units/{unitName}",
          "parameters": {"unitName": {"type": "string", "location": "path", "required": true}},
          "parameterOrder": ["unitName"],
          "request": {"$ref": "Unit"}
        }
      }
    },
    "UnitState": {
      "methods": {
        "List": {
          "id": "fleet.UnitState.List",
          "description": "Retrieve a page of UnitState objects.",
          "httpMethod": "GET",
          "path": "state",
          "parameters": {
            "nextPageToken": {"type": "string", "location": "query"},
            "unitName": {"type": "string", "location": "query"},
            "machineID": {"type": "string", "location": "query"}
          },
          "response": {"$ref": "UnitStatePage"}
        },
        "Get": {
          "id": "fleet.UnitState.Get",
          "description": "Retrieve the state of one unit, as one machine reports it.",
          "httpMethod": "GET",
          "path": "state/{unitName}",
          "parameters": {"unitName": {"type": "string", "location": "path", "required": true}},
          "parameterOrder": ["unitName"],
          "response": {"$ref": "UnitState"}
        }
      }
    }
  }
}
)json";

}  // namespace fleet::api::internal
