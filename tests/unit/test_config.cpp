// SPDX-License-Identifier: AGPL-3.0-or-later
// A configuration is refused before anything starts, with one line per problem naming the place.
#include <doctest/doctest.h>

#include "sluice/core/config.hpp"
#include "test_support.hpp"

using sluice::test::TempDir;
using sluice::test::write_file;

namespace {

std::string problems(const std::string& toml, sluice::Config* out = nullptr) {
    TempDir dir;
    write_file(dir / "sluice.toml", toml);
    std::vector<std::string> errors;
    auto cfg = sluice::load_config(dir / "sluice.toml", errors);
    if (out) *out = cfg;
    std::string all;
    for (const auto& e : errors) all += e + "\n";
    return all;
}

}  // namespace

TEST_CASE("the shipped demo configuration loads without problems") {
    std::vector<std::string> errors;
    auto cfg = sluice::load_config(sluice::test::source_dir() / "conf" / "sluice.toml", errors);
    CHECK(errors.empty());
    CHECK(cfg.bots.size() == 8);
    CHECK(cfg.bots.at("taxonomy").paths.at("_default").at(0).bot == "events-file");
}

TEST_CASE("edges take every documented form and inherit the default transport") {
    sluice::Config cfg;
    const auto errs = problems(R"(
[defaults]
transport = "file"
batch_size = 10
[bots.a]
plugin = "collector_file"
to = ["b", { bot = "c", transport = "file" }]
[bots.b]
plugin = "expert_taxonomy"
batch_size = 3
to = { _default = "c", _on_error = ["c"] }
[bots.c]
plugin = "output_file"
)",
                               &cfg);
    CHECK(errs.empty());
    CHECK(cfg.bots.at("a").paths.at("_default").size() == 2);
    CHECK(cfg.bots.at("b").paths.at("_on_error").at(0).bot == "c");
    CHECK(cfg.bots.at("b").settings.batch_size == 3);
    CHECK(cfg.bots.at("a").settings.batch_size == 10);
    CHECK(cfg.producers_of("c") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("unknown keys, missing plugins, dangling edges and bad values are all reported") {
    const auto errs = problems(R"(
[bots.a]
plugin = "collector_file"
colour = "blue"
to = ["nowhere"]
batch_size = 0
run_mode = "sometimes"
[bots.b]
description = "no plugin"
to = [{ bot = "a", transport = "pigeon" }]
)");
    CHECK(errs.find("unknown key 'colour' in [bots.a]") != std::string::npos);
    CHECK(errs.find(":4:") != std::string::npos);  // the line of the unknown key
    CHECK(errs.find("bots.a.to._default: no bot 'nowhere'") != std::string::npos);
    CHECK(errs.find("batch_size must be at least 1") != std::string::npos);
    CHECK(errs.find("run_mode must be") != std::string::npos);
    CHECK(errs.find("bots.b.plugin is missing") != std::string::npos);
    CHECK(errs.find("unknown transport 'pigeon'") != std::string::npos);
}

TEST_CASE("a TOML syntax error names the line and column") {
    const auto errs = problems("[bots.a]\nplugin = \"x\nto = []\n");
    CHECK(errs.find("sluice.toml:2:") != std::string::npos);
}

TEST_CASE("transports: zmq endpoints, the amqp broker and bots fed over several transports") {
    sluice::Config cfg;
    const auto errs = problems(R"(
[transports.zmq]
endpoints = { b = "tcp://10.0.0.2:5601" }
bind = { b = "tcp://*:5601" }
heartbeat = 1.5
[transports.amqp]
url = "amqps://rabbit.example.org:5671/sluice"
username = "sluice"
password_file = "secret/amqp.password"
[bots.a]
plugin = "collector_file"
to = [{ bot = "b", transport = "zmq" }, { bot = "c", transport = "amqp" }]
[bots.a2]
plugin = "collector_file"
to = [{ bot = "b", transport = "file" }]
[bots.b]
plugin = "expert_taxonomy"
to = [{ bot = "c", transport = "zmq" }]
[bots.c]
plugin = "output_file"
)",
                               &cfg);
    CHECK(errs.empty());
    CHECK(cfg.zmq.endpoints.at("b") == "tcp://10.0.0.2:5601");
    CHECK(cfg.zmq.bind.at("b") == "tcp://*:5601");
    CHECK(cfg.zmq.heartbeat == 1.5);
    CHECK(cfg.amqp.username == "sluice");
    CHECK(cfg.amqp.queue_type == "quorum");
    // Relative paths start at the configuration's folder, like every path.
    CHECK(std::filesystem::path(cfg.amqp.password_file).is_absolute());
    CHECK(cfg.input_transports("b") == std::vector<std::string>{"file", "zmq"});
    CHECK(cfg.input_transports("c") == std::vector<std::string>{"amqp", "zmq"});
    CHECK(cfg.input_transports("a") == std::vector<std::string>{"file"});  // no producers: fed by hand
    CHECK(cfg.transports_in_use() == std::vector<std::string>{"amqp", "file", "zmq"});
}

TEST_CASE("bad transport settings are refused, each naming its key") {
    const auto errs = problems(R"(
[transports.zmq]
endpoints = { b = "udp://x" }
heartbeat = 0
[transports.amqp]
url = "http://rabbit"
queue_type = "stream"
password_env = "A"
password_file = "b"
port = 5672
[bots.a]
plugin = "collector_file"
to = [{ bot = "b", transport = "carrier-pigeon" }]
[bots.b]
plugin = "output_file"
)");
    CHECK(errs.find("transports.zmq.endpoints.b must be \"tcp://host:port\" or \"ipc://path\"") != std::string::npos);
    CHECK(errs.find("transports.zmq.heartbeat must be positive") != std::string::npos);
    CHECK(errs.find("transports.amqp.url must start with amqp:// or amqps://") != std::string::npos);
    CHECK(errs.find("transports.amqp.queue_type must be \"classic\" or \"quorum\"") != std::string::npos);
    CHECK(errs.find("give password_env or password_file, not both") != std::string::npos);
    CHECK(errs.find("unknown key 'port' in [transports.amqp]") != std::string::npos);
    CHECK(errs.find("unknown transport 'carrier-pigeon' (available: file, zmq, amqp)") != std::string::npos);
}

TEST_CASE("transports.amqp.records_per_message: 500 unless set, 1 to 100000, refused with file and line") {
    const std::string bots = R"(
[bots.a]
plugin = "collector_file"
to = [{ bot = "b", transport = "amqp" }]
[bots.b]
plugin = "output_file"
)";
    sluice::Config cfg;
    CHECK(problems(bots, &cfg).empty());
    CHECK(cfg.amqp.records_per_message == 500);
    CHECK(problems("[transports.amqp]\nrecords_per_message = 1\n" + bots, &cfg).empty());
    CHECK(cfg.amqp.records_per_message == 1);
    CHECK(problems("[transports.amqp]\nrecords_per_message = 100000\n" + bots, &cfg).empty());
    CHECK(cfg.amqp.records_per_message == 100000);
    for (const char* bad : {"0", "-3", "100001"}) {
        const auto errs = problems(std::string("[transports.amqp]\nrecords_per_message = ") + bad + "\n" + bots);
        CHECK_MESSAGE(errs.find("sluice.toml:2: transports.amqp.records_per_message must be 1") != std::string::npos,
                      bad, ": ", errs);
    }
    CHECK(problems("[transports.amqp]\nrecords_per_message = \"many\"\n" + bots)
              .find("transports.amqp.records_per_message has the wrong type") != std::string::npos);
}

TEST_CASE("a remote bot needs no plugin, and a file queue cannot reach it") {
    const auto errs = problems(R"(
[bots.a]
plugin = "collector_file"
to = ["far", { bot = "far2", transport = "amqp" }]
[bots.far]
remote = true
[bots.far2]
remote = true
)");
    CHECK(errs.find("bots.a.to._default: 'far' runs on another machine; a file queue cannot cross machines") !=
          std::string::npos);
    CHECK(errs.find("far2") == std::string::npos);
    CHECK(errs.find("plugin is missing") == std::string::npos);
}

TEST_CASE("process_timeout and memory_max: defaults, sizes with a suffix, and bad values named") {
    sluice::Config cfg;
    const std::string base = "[defaults]\nmemory_max = \"2G\"\n[bots.a]\nplugin = \"expert_taxonomy\"\n";
    CHECK(problems(base + "[bots.b]\nplugin = \"expert_taxonomy\"\nmemory_max = 536870912\nprocess_timeout = 5\n"
                          "[bots.c]\nplugin = \"expert_taxonomy\"\nmemory_max = \"512M\"\n",
                   &cfg) == "");
    CHECK(cfg.bots.at("a").settings.process_timeout == 60);  // the default
    CHECK(cfg.bots.at("a").settings.memory_max == 2ull << 30);
    CHECK(cfg.bots.at("b").settings.memory_max == 512ull << 20);
    CHECK(cfg.bots.at("b").settings.process_timeout == 5);
    CHECK(cfg.bots.at("c").settings.memory_max == 512ull << 20);

    const std::string errs = problems(
        "[bots.a]\nplugin = \"expert_taxonomy\"\nmemory_max = \"lots\"\n[bots.b]\nplugin = \"expert_taxonomy\"\n"
        "memory_max = \"1M\"\nprocess_timeout = -1\n[bots.c]\nplugin = \"expert_taxonomy\"\nmemory_max = \"512Q\"\n");
    CHECK(errs.find(":3: bots.a.memory_max must be a number of bytes or a size such as \"512M\"") != std::string::npos);
    CHECK(errs.find(":6: bots.b.memory_max must be at least 32M") != std::string::npos);
    CHECK(errs.find(":7: bots.b.process_timeout must not be negative") != std::string::npos);
    CHECK(errs.find(":10: bots.c.memory_max must be a number") != std::string::npos);
}

TEST_CASE("a bot id with a NUL byte, a control character or a path in it is refused") {
    for (const std::string id : {R"("a\u0000b")", R"("tab\tbed")", R"("../up")", R"("a/b")", R"(".hidden")"}) {
        CAPTURE(id);
        const std::string errs = problems("[bots." + id + "]\nplugin = \"expert_taxonomy\"\n");
        CHECK(errs.find("a bot id may not be empty, start with '.', or contain") != std::string::npos);
    }
    CHECK(sluice::valid_bot_id("urlhaus-parser"));
    CHECK_FALSE(sluice::valid_bot_id(std::string("a\0b", 3)));
}
