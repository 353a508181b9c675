// SPDX-License-Identifier: AGPL-3.0-or-later
// libFuzzer target: Message::decode on arbitrary bytes. Invariants: no crash/UB (ASan+UBSan), and a
// decoded message re-encodes to JSON that decodes again to exactly the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sluice/core/message.hpp"

#include "fuzz_options.hpp"

namespace {

const sluice::Harmonization& harmonization() {
    static const sluice::Harmonization h = sluice::Harmonization::load(SLUICE_FUZZ_HARMONIZATION);
    return h;
}

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
    std::fprintf(stderr, "invariant violated: %s\n  first:  %s\n  second: %s\n", what, fuzz_escape(a).c_str(),
                 fuzz_escape(b).c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    harmonization();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const sluice::Harmonization& h = harmonization();
    sluice::Message msg(sluice::MessageType::event, h);
    std::string why;
    if (!sluice::Message::decode(input, msg, why)) return 0;

    const std::string json1 = msg.json();
    std::string hier;
    msg.to_hierarchical_json(hier);
    (void)sluice::message_hash(msg, {}, sluice::HashKeys::blacklist);
    for (const sluice::Field& f : msg.fields()) (void)sluice::python_repr(msg, f);

    sluice::Message again(sluice::MessageType::report, h);
    std::string why2;
    if (!sluice::Message::decode(json1, again, why2)) fail("re-decode of to_json output failed", json1, why2);
    const std::string json2 = again.json();
    if (json1 != json2) fail("decode -> to_json -> decode -> to_json differs", json1, json2);
    if (again.type() != msg.type()) fail("message type changed on round-trip", json1, json2);
    return 0;
}
