// List pagination exactly as fleet's API pages (spec §2.6): the page size is fleetd's
// token_limit, and `nextPageToken` is URL-safe base64 (with `=` padding) of the little-endian
// uint16 limit followed by the uint16 page number, pages counted from 1.
//
// Example (token_limit 100): page 1 has no token; page 2 is "ZAACAA==", page 3 "ZAADAA==".
//   auto page = requested_page(target, 100);        // from ?nextPageToken=...
//   if (!page) return HttpResponse::error(400, page.error().message);
//   auto listing = backend.units(page->slice());
//   std::string next = next_page_token(*page, listing->total);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fleet/api/backend.h"
#include "fleet/api/request_target.h"
#include "fleet/base/error.h"

namespace fleet::api {

struct PageToken {
  uint16_t limit = 0;
  uint16_t page = 0;

  std::string encode() const;
  // Items [(page - 1) * limit, page * limit).
  Slice slice() const;

  bool operator==(const PageToken&) const = default;
};

// kInvalidArgument with Go's messages: `illegal base64 data at input byte N` for text that is
// not padded URL-safe base64, `EOF` / `unexpected EOF` when it holds fewer than four bytes
// (bytes past the fourth are ignored, as fleet ignored them).
Result<PageToken> decode_page_token(std::string_view text);

// The page a list request asks for: page 1 when the query has no `nextPageToken`, else its token.
// kInvalidArgument (400) `too many values for page token`, a decoding error, `token limit must be
// <token_limit>` or `token page must be greater than zero`.
Result<PageToken> requested_page(const RequestTarget& target, uint16_t token_limit);

// The token of the page after `page` when `total` items fill `page` to its end (so a last page
// that is exactly full still points to an empty one, as fleet's did); "" otherwise.
std::string next_page_token(const PageToken& page, size_t total);

}  // namespace fleet::api
