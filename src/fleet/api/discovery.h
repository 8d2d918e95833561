// fleet's API v1 described in Google's discovery format (id `fleet:v1`), as GET /discovery
// serves it (spec §2.5). Written from the entities and endpoints of spec §2.4-2.5 and embedded in
// the binary.
#pragma once

#include <string>
#include <string_view>

namespace fleet::api {

// The document with its root URL: `root_url` ends in "/" (e.g. "http://127.0.0.1:49153/");
// empty keeps fleet's placeholder "$ENDPOINT/", which clients substitute themselves.
std::string discovery_document(std::string_view root_url = {});

}  // namespace fleet::api
