// SPDX-License-Identifier: AGPL-3.0-or-later
#include "state_folder.hpp"

#include <rapidjson/document.h>

#include <unistd.h>
#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>

#include "../../plugins/expert_deduplicator/cache_record.hpp"
#include "message_compare.hpp"

namespace sluice::conformance {
namespace {

namespace fs = std::filesystem;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Writes the preseed (null when the case has none) into `folder`; returns the parameter to set
// and its value.
using Writer = std::pair<std::string, std::string> (*)(const rapidjson::Value& preseed, const fs::path& folder,
                                                       const fs::path& preseed_file, std::string& note);

// expert_deduplicator: {"redis_cache_preseed": {hash: value, ...}, "ttl_seconds": N} becomes
// records of its cache file (plugins/expert_deduplicator/cache_record.hpp), valid for N seconds.
std::pair<std::string, std::string> deduplicator_cache(const rapidjson::Value& preseed, const fs::path& folder,
                                                       const fs::path& preseed_file, std::string& note) {
    const fs::path file = folder / "deduplicator.cache";
    std::string text(dedup::kCacheHeader);
    if (!preseed.IsNull()) {
        const auto entries = preseed.FindMember("redis_cache_preseed");
        if (!preseed.IsObject() || entries == preseed.MemberEnd() || !entries->value.IsObject())
            throw CaseError(preseed_file.string() + ": expected {\"redis_cache_preseed\": {hash: value}, ...}");
        const auto ttl = preseed.FindMember("ttl_seconds");
        const int64_t ttl_s = ttl != preseed.MemberEnd() && ttl->value.IsInt64() ? ttl->value.GetInt64() : 0;
        const int64_t expiry = ttl_s > 0 ? now_ms() + ttl_s * 1000 : dedup::kNeverExpires;
        for (const auto& m : entries->value.GetObject()) {
            dedup::append_record(text, std::string_view(m.name.GetString(), m.name.GetStringLength()), expiry);
            note += std::string(note.empty() ? "" : ", ") + m.name.GetString();
        }
        note = "preseeded cache with " + note + " (TTL " + std::to_string(ttl_s) + " s)";
    }
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out.flush()) throw CaseError(file.string() + ": cannot write the preseeded cache");
    return {"cache_path", file.string()};
}

struct StatefulPlugin {
    std::string_view plugin;
    Writer write;
};
constexpr StatefulPlugin kStateful[] = {
    {"expert_deduplicator", &deduplicator_cache},
};

}  // namespace

StateFolder::StateFolder(const Case& c, std::string_view plugin, std::string& parameters_json) {
    const fs::path preseed_file = c.dir / "cache_preseed.json";
    const bool has_preseed = fs::exists(preseed_file);
    const StatefulPlugin* entry = nullptr;
    for (const auto& s : kStateful)
        if (s.plugin == plugin) entry = &s;
    if (!entry) {
        if (has_preseed)
            throw CaseError(preseed_file.string() + ": the runner does not know how to preseed " + std::string(plugin) +
                            " (add it to kStateful in tests/conformance/state_folder.cpp)");
        return;
    }
    rapidjson::Document preseed;  // null without a preseed file
    if (has_preseed) {
        std::ifstream in(preseed_file, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        preseed.Parse(text.c_str(), text.size());
        if (preseed.HasParseError()) throw CaseError(preseed_file.string() + ": not valid JSON");
    }
    folder_ = fs::temp_directory_path() /
              ("sluice-conformance-" + c.dir.filename().string() + "-" + std::to_string(::getpid()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    const auto [name, value] = entry->write(preseed, folder_, preseed_file, note_);

    rapidjson::Document params;
    params.Parse(parameters_json.c_str(), parameters_json.size());
    if (params.HasParseError() || !params.IsObject()) throw CaseError("parameters are not a JSON object");
    auto& a = params.GetAllocator();
    params.RemoveMember(name.c_str());
    params.AddMember(rapidjson::Value(name.c_str(), a), rapidjson::Value(value.c_str(), a), a);
    parameters_json = compact(params);
}

StateFolder::~StateFolder() {
    if (folder_.empty()) return;
    std::error_code ec;
    fs::remove_all(folder_, ec);
}

}  // namespace sluice::conformance
