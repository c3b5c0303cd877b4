// cryb64: the schema-version hash of the vlcn sync layers (@vlcn.io/ws-common 0.2.0).
//
// Sync peers compare `cryb64(schema_text)` to decide whether a database must be migrated, so
// ours must give bit-identical results (behaviour spec §15, test vector TV-66). The JavaScript
// original hashes UTF-16 code units with two 32-bit multiply/xor lanes (a cyrb53 variant) and
// combines them as 2^32 * h2 + h1 with both lanes read as *signed* int32, which is why results
// are often negative. Pure functions, no state; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace crsync {

// Hash of text, given as UTF-16 code units (what a JavaScript string is). seed defaults to 0,
// the value the sync layers use.
int64_t Cryb64(std::u16string_view text, uint32_t seed = 0);

// Hash of UTF-8 text: converts to UTF-16 code units first (code points above U+FFFF become
// surrogate pairs), so Cryb64("😀") == Cryb64(u"😀"). Invalid UTF-8 sequences are replaced by
// U+FFFD, as JavaScript's TextDecoder does.
int64_t Cryb64(std::string_view utf8, uint32_t seed = 0);

}  // namespace crsync
