// SPDX-License-Identifier: AGPL-3.0-or-later
// sluice-bench-message: the per-hop cost of a message in core, without queues or processes:
// decode an event of about 500 bytes, harmonize three fields into it, encode it again.
#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>

#include "feed.hpp"
#include "sluice/core/defaults.hpp"
#include "sluice/core/message.hpp"

namespace {

using sluice::Harmonization;
using sluice::Message;
using sluice::MessageType;

const Harmonization& harmonization() {
    static const Harmonization h = Harmonization::load(sluice::default_harmonization_file());
    return h;
}

std::string sample_event() {
    static const std::string json = sluice::bench::make_event_json(harmonization(), sluice::bench::Feed(1), 42);
    return json;
}

void BM_Decode(benchmark::State& state) {
    const std::string json = sample_event();
    Message m(MessageType::event, harmonization());
    std::string why;
    for (auto _ : state) {
        if (!Message::decode(json, m, why)) state.SkipWithError(why.c_str());
        benchmark::DoNotOptimize(m);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_Decode);

void BM_Harmonize3(benchmark::State& state) {
    const std::string json = sample_event();
    Message m(MessageType::event, harmonization());
    std::string why;
    if (!Message::decode(json, m, why)) throw std::runtime_error(why);
    for (auto _ : state) {
        // What a typical expert writes: a classification, an address, a name.
        m.set("classification.taxonomy", "malicious-code", true);
        m.set("destination.ip", "198.51.100.7", true);
        m.set("destination.fqdn", "Sink.Example.NET.", true);
        benchmark::DoNotOptimize(m);
    }
}
BENCHMARK(BM_Harmonize3);

void BM_Encode(benchmark::State& state) {
    const std::string json = sample_event();
    Message m(MessageType::event, harmonization());
    std::string why;
    if (!Message::decode(json, m, why)) throw std::runtime_error(why);
    std::string out;
    for (auto _ : state) {
        out.clear();
        m.to_json(out);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_Encode);

// One hop as the host does it: decode, the bot sets three fields, encode.
void BM_DecodeHarmonizeEncode(benchmark::State& state) {
    const std::string json = sample_event();
    Message m(MessageType::event, harmonization());
    std::string why, out;
    for (auto _ : state) {
        if (!Message::decode(json, m, why)) state.SkipWithError(why.c_str());
        m.set("classification.taxonomy", "malicious-code", true);
        m.set("destination.ip", "198.51.100.7", true);
        m.set("destination.fqdn", "Sink.Example.NET.", true);
        out.clear();
        m.to_json(out);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
    state.counters["event_bytes"] = static_cast<double>(json.size());
}
BENCHMARK(BM_DecodeHarmonizeEncode);

}  // namespace

BENCHMARK_MAIN();
