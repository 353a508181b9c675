// SPDX-License-Identifier: AGPL-3.0-or-later
// collector_file through the real host code (BotHarness), plus a minimal stand-in host that drives
// the plugin's C entry point step by step, to see that files are deleted in on_durable and not in
// collect.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::TempDir;
using sluice::test::write_file;

namespace {

std::string field(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(d.IsObject(), json);
    if (!d.HasMember(key)) return {};
    const rapidjson::Value& v = d[key];
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsNumber()) return std::to_string(v.GetDouble());
    return "?";
}

std::string params_json(const std::map<std::string, std::string>& params) {
    std::string out = "{";
    for (const auto& [k, v] : params) out += (out.size() > 1 ? "," : "") + ("\"" + k + "\":" + v);
    return out + "}";
}

std::string quoted(const fs::path& p) { return "\"" + p.string() + "\""; }

// --- A stand-in host: just enough of sluice_host_api to run a collector step by step. ----------

struct FakeMsg {
    std::map<std::string, std::string> fields;
};
struct FakeHost {
    std::map<std::string, std::string> params;  // name -> text, as the host hands parameters over
    std::vector<std::unique_ptr<FakeMsg>> made;
    std::vector<std::map<std::string, std::string>> sent;
    std::string error;
};

FakeHost& host(sluice_ctx* c) { return *reinterpret_cast<FakeHost*>(c); }
FakeMsg& msg(sluice_msg* m) { return *reinterpret_cast<FakeMsg*>(m); }
const FakeMsg& msg(const sluice_msg* m) { return *reinterpret_cast<const FakeMsg*>(m); }
std::string text(sluice_str s) { return std::string(s.ptr ? s.ptr : "", s.len); }

const sluice_host_api kFakeApi = {
    sizeof(sluice_host_api),
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    [](sluice_ctx*, uint32_t, sluice_str) {},
    [](sluice_ctx* c, sluice_str t) { host(c).error = text(t); },
    [](const sluice_params* p, sluice_str name, sluice_str* out) {
        const auto& params = reinterpret_cast<const FakeHost*>(p)->params;
        const auto it = params.find(text(name));
        if (it == params.end()) return 0;
        *out = sluice_str{it->second.data(), it->second.size()};
        return 1;
    },
    [](const sluice_params*, sluice_str) -> size_t { return 0; },
    [](const sluice_params*, sluice_str, size_t, sluice_str*) { return 0; },
    [](const sluice_msg*) -> uint32_t { return SLUICE_MSG_REPORT; },
    [](sluice_ctx*, const sluice_msg*) -> sluice_msg* { return nullptr; },
    [](sluice_ctx* c) {
        host(c).made.push_back(std::make_unique<FakeMsg>());
        return reinterpret_cast<sluice_msg*>(host(c).made.back().get());
    },
    [](const sluice_msg* m, sluice_str key, sluice_str* out) {
        const auto it = msg(m).fields.find(text(key));
        if (it == msg(m).fields.end()) return 0;
        *out = sluice_str{it->second.data(), it->second.size()};
        return 1;
    },
    [](sluice_ctx*, sluice_msg* m, sluice_str key, sluice_str value, uint32_t) -> uint32_t {
        const std::string k = text(key);
        msg(m).fields[k] = k == "raw" ? sluice::base64::encode(text(value)) : text(value);
        return SLUICE_FIELD_OK;
    },
    [](sluice_msg* m, sluice_str key) -> uint32_t {
        return msg(m).fields.erase(text(key)) ? SLUICE_FIELD_OK : SLUICE_FIELD_NOT_FOUND;
    },
    [](const sluice_msg* m) { return msg(m).fields.size(); },
    [](const sluice_msg*, size_t, sluice_str*, sluice_str*) { return 0; },
    [](sluice_ctx*, const sluice_msg*, uint32_t) {
        return sluice_str{"{}", 2};
    },
    [](sluice_ctx* c, const sluice_msg* m, sluice_str) {
        host(c).sent.push_back(msg(m).fields);
        return 0;
    },
    [](sluice_ctx*, sluice_str, sluice_str) {},
    [](sluice_ctx*, sluice_str, int64_t) {},
    [](sluice_ctx*) { return 0; },
    nullptr,  // field_error: optional, "not provided" (bot.h rule 2)
    nullptr,  // msg_discard: likewise
    nullptr,  // msg_hash: likewise
};

// The plugin loaded by hand and one instance of it, driven through the C ABI.
class DirectBot {
 public:
    explicit DirectBot(std::map<std::string, std::string> params) {
        const fs::path so = sluice::test::plugin_dir() / "collector_file.so";
        lib_ = ::dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
        REQUIRE_MESSAGE(lib_ != nullptr, ::dlerror());
        auto entry = reinterpret_cast<sluice_bot_entry_fn>(::dlsym(lib_, SLUICE_BOT_ENTRY_SYMBOL));
        const bool has_entry = entry != nullptr;
        REQUIRE_MESSAGE(has_entry, "no entry symbol in " << so);
        desc_ = entry();
        host_.params = std::move(params);
        const uint32_t st = desc_->create(&kFakeApi, ctx(), reinterpret_cast<const sluice_params*>(&host_), &state_);
        REQUIRE_MESSAGE(st == SLUICE_OK, host_.error);
    }
    ~DirectBot() {
        if (state_) desc_->destroy(state_);
        if (lib_) ::dlclose(lib_);
    }
    DirectBot(const DirectBot&) = delete;
    DirectBot& operator=(const DirectBot&) = delete;

    uint32_t collect() { return desc_->collect(state_, ctx()); }
    void on_durable() { desc_->on_durable(state_, ctx()); }
    const FakeHost& host_state() const { return host_; }

 private:
    sluice_ctx* ctx() { return reinterpret_cast<sluice_ctx*>(&host_); }
    void* lib_ = nullptr;
    const sluice_bot_desc* desc_ = nullptr;
    void* state_ = nullptr;
    FakeHost host_;
};

}  // namespace

TEST_CASE("collector_file sends one report per matching file with raw and feed fields") {
    TempDir dir("collector-file");
    write_file(dir / "a.csv", "192.0.2.1,example.com\n");
    write_file(dir / "b.csv", "192.0.2.2,example.org\n");
    write_file(dir / "notes.txt", "not a csv\n");
    write_file(dir / "empty.csv", "");
    fs::create_directories(dir / "sub.csv");

    BotHarness bot("collector_file", params_json({{"path", quoted(dir.path())},
                                                  {"name", "\"Sample Feed\""},
                                                  {"provider", "\"Example Provider\""},
                                                  {"accuracy", "90"},
                                                  {"code", "\"sample\""},
                                                  {"documentation", "\"https://example.com/doc\""}}));
    const HarnessResult r = bot.collect();

    CHECK(r.failed.empty());
    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == 2);  // notes.txt filtered by postfix, the empty file and the folder skipped
    CHECK(sluice::base64::decode(field(sent[0], "raw")) == "192.0.2.1,example.com\n");
    CHECK(sluice::base64::decode(field(sent[1], "raw")) == "192.0.2.2,example.org\n");
    CHECK(field(sent[0], "feed.url") == "file://localhost" + (dir / "a.csv").string());
    CHECK(field(sent[1], "feed.url") == "file://localhost" + (dir / "b.csv").string());
    CHECK(field(sent[0], "__type") == "Report");
    CHECK(field(sent[0], "feed.name") == "Sample Feed");
    CHECK(field(sent[0], "feed.provider") == "Example Provider");
    CHECK(field(sent[0], "feed.code") == "sample");
    CHECK(field(sent[0], "feed.documentation") == "https://example.com/doc");
    CHECK(std::stod(field(sent[0], "feed.accuracy")) == 90.0);
    CHECK_FALSE(field(sent[0], "time.observation").empty());

    // Neither deleted nor moved: read again on the next collect, as IntelMQ does.
    CHECK(fs::exists(dir / "a.csv"));
    CHECK(bot.collect().on("_default").size() == 2);
}

TEST_CASE("collector_file selects files by pattern and postfix, or reads the one file named") {
    TempDir dir("collector-file");
    write_file(dir / "drop.txt", "1\n");
    write_file(dir / "edrop.txt", "2\n");
    write_file(dir / "drop.csv", "3\n");

    SUBCASE("pattern with an empty postfix") {
        BotHarness bot("collector_file",
                       params_json({{"path", quoted(dir.path())}, {"postfix", "\"\""}, {"pattern", "\"drop*\""}}));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 2);
        CHECK(field(sent[0], "feed.url") == "file://localhost" + (dir / "drop.csv").string());
        CHECK(field(sent[1], "feed.url") == "file://localhost" + (dir / "drop.txt").string());
    }
    SUBCASE("pattern and postfix together") {
        BotHarness bot("collector_file",
                       params_json({{"path", quoted(dir.path())}, {"postfix", "\".txt\""}, {"pattern", "\"*drop*\""}}));
        CHECK(bot.collect().on("_default").size() == 2);
    }
    SUBCASE("a path naming one file") {
        BotHarness bot("collector_file", params_json({{"path", quoted(dir / "edrop.txt")}}));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 1);
        CHECK(sluice::base64::decode(field(sent[0], "raw")) == "2\n");
    }
}

TEST_CASE("collector_file deletes a file only once its report is durable") {
    TempDir dir("collector-file");
    write_file(dir / "a.csv", "1\n");
    write_file(dir / "keep.txt", "2\n");

    SUBCASE("through the host: collect, flush, on_durable") {
        BotHarness bot("collector_file", params_json({{"path", quoted(dir.path())}, {"delete_file", "true"}}));
        CHECK(fs::exists(dir / "a.csv"));
        const HarnessResult r = bot.collect();
        CHECK(r.on("_default").size() == 1);
        CHECK_FALSE(fs::exists(dir / "a.csv"));
        CHECK(fs::exists(dir / "keep.txt"));
        CHECK(bot.collect().on("_default").empty());
    }
    SUBCASE("step by step: still there after collect, gone after on_durable") {
        DirectBot bot({{"path", dir.path().string()}, {"postfix", ".csv"}, {"pattern", "*"}, {"delete_file", "true"}});
        REQUIRE(bot.collect() == SLUICE_OK);
        REQUIRE(bot.host_state().sent.size() == 1);
        CHECK(bot.host_state().sent[0].at("raw") == sluice::base64::encode("1\n"));
        CHECK(fs::exists(dir / "a.csv"));
        bot.on_durable();
        CHECK_FALSE(fs::exists(dir / "a.csv"));
    }
    SUBCASE("step by step: a collect that is not confirmed durable deletes nothing") {
        DirectBot bot({{"path", dir.path().string()}, {"postfix", ".csv"}, {"pattern", "*"}, {"delete_file", "true"}});
        REQUIRE(bot.collect() == SLUICE_OK);
        REQUIRE(bot.collect() == SLUICE_OK);  // the host retried without confirming the first
        CHECK(fs::exists(dir / "a.csv"));
        CHECK(bot.host_state().sent.size() == 2);
        bot.on_durable();
        CHECK_FALSE(fs::exists(dir / "a.csv"));
    }
    SUBCASE("step by step: a file appended to after it was read is left to be read again") {
        DirectBot bot({{"path", dir.path().string()}, {"postfix", ".csv"}, {"pattern", "*"}, {"delete_file", "true"}});
        REQUIRE(bot.collect() == SLUICE_OK);
        write_file(dir / "a.csv", "1\nmore\n");
        bot.on_durable();
        CHECK(fs::exists(dir / "a.csv"));
    }
}

TEST_CASE("collector_file moves read files into move_to without overwriting") {
    TempDir dir("collector-file");
    TempDir done("collector-file-done");
    write_file(dir / "a.csv", "new\n");

    BotHarness bot("collector_file",
                   params_json({{"path", quoted(dir.path())}, {"move_to", quoted(done / "archive")}}));
    write_file(done / "archive" / "a.csv", "old\n");
    CHECK(bot.collect().on("_default").size() == 1);

    CHECK_FALSE(fs::exists(dir / "a.csv"));
    CHECK(sluice::test::read_file(done / "archive" / "a.csv") == "old\n");
    CHECK(sluice::test::read_file(done / "archive" / "a.csv.1") == "new\n");
}

TEST_CASE("collector_file refuses a path that does not exist, naming it") {
    TempDir dir("collector-file");
    const fs::path missing = dir / "no-such-folder";
    try {
        BotHarness bot("collector_file", params_json({{"path", quoted(missing)}}));
        FAIL("the bot was accepted");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find(missing.string()) != std::string::npos);
        CHECK(std::string(e.what()).find("path") != std::string::npos);
    }
}

TEST_CASE("collector_file refuses settings that would delete every file or both delete and move") {
    TempDir dir("collector-file");
    CHECK_THROWS_WITH_AS(
        BotHarness("collector_file",
                   params_json({{"path", quoted(dir.path())}, {"postfix", "\"\""}, {"delete_file", "true"}})),
        doctest::Contains("delete_file"), std::exception);
    CHECK_THROWS_WITH_AS(
        BotHarness(
            "collector_file",
            params_json({{"path", quoted(dir.path())}, {"delete_file", "true"}, {"move_to", quoted(dir / "done")}})),
        doctest::Contains("move_to"), std::exception);
}
