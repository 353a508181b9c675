// SPDX-License-Identifier: AGPL-3.0-or-later
#include "block_list.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "atomic_file.hpp"

namespace sluice::output_blocklist {

BlockList::BlockList(Format format, std::filesystem::path state_file, int64_t expire)
    : format_(format),
      state_file_(std::move(state_file)),
      expire_(expire),
      // Rewriting the state for every sighting of a known entry would cost an fsync per batch for
      // nothing: a crash may lose up to 1% of an entry's lifetime (at most an hour), no more.
      resolution_(std::clamp<int64_t>(expire / 100, 1, 3600)) {}

void BlockList::load() {
    std::ifstream in(state_file_);
    if (!in) return;  // a new list
    std::stringstream text;
    text << in.rdbuf();
    const std::string json = text.str();
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    const auto broken = [&](const std::string& what) {
        return std::runtime_error(state_file_.string() + ": " + what +
                                  "; repair or delete it (the list is rebuilt from new events)");
    };
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("entries") || !doc["entries"].IsArray())
        throw broken("not a block list state file");
    if (doc.HasMember("serial") && doc["serial"].IsUint()) serial_ = doc["serial"].GetUint();
    for (const auto& e : doc["entries"].GetArray()) {
        if (!e.IsObject() || !e.HasMember("indicator") || !e["indicator"].IsString() || !e.HasMember("last_seen") ||
            !e["last_seen"].IsInt64())
            throw broken("an entry without indicator or last_seen");
        std::string why;
        auto indicator = parse_indicator(e["indicator"].GetString(), why);
        if (!indicator) throw broken(std::string("entry '") + e["indicator"].GetString() + "': " + why);
        // The format may have changed since: keep what the new one can hold.
        auto entry = entry_for(format_, *indicator, why);
        if (!entry) {
            state_changed_ = true;
            continue;
        }
        Entry& stored = entries_[entry->text];
        stored.indicator = std::move(*entry);
        stored.last_seen = std::max(stored.last_seen, e["last_seen"].GetInt64());
        if (e.HasMember("source") && e["source"].IsString()) stored.source = e["source"].GetString();
        if (e.HasMember("desc") && e["desc"].IsString()) stored.desc = e["desc"].GetString();
    }
}

void BlockList::see(const Indicator& entry, int64_t now, std::string_view source, std::string_view desc) {
    auto [it, added] = entries_.try_emplace(entry.text);
    Entry& e = it->second;
    if (added) {
        e.indicator = entry;
        list_changed_ = true;
    } else if (now - e.last_seen < resolution_ && e.source == source && e.desc == desc) {
        return;
    }
    if (e.source != source || e.desc != desc) {
        // Only the Zeek file shows them, but a list written a moment ago would then be stale.
        if (format_ == Format::zeek) list_changed_ = true;
        e.source = source;
        e.desc = desc;
    }
    e.last_seen = std::max(e.last_seen, now);
    state_changed_ = true;
}

size_t BlockList::expire(int64_t now) {
    if (expire_ <= 0) return 0;
    const size_t before = entries_.size();
    std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_seen >= expire_; });
    const size_t gone = before - entries_.size();
    if (gone) list_changed_ = true;
    return gone;
}

void BlockList::save_state() {
    if (list_changed_) {
        // The zone's serial must grow with every change; the time makes it readable.
        serial_ = std::max<uint32_t>(serial_ + 1, static_cast<uint32_t>(std::time(nullptr)));
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("serial");
    w.Uint(serial_);
    w.Key("entries");
    w.StartArray();
    for (const Entry* e : sorted()) {
        w.StartObject();
        w.Key("indicator");
        w.String(e->indicator.text);
        w.Key("last_seen");
        w.Int64(e->last_seen);
        w.Key("source");
        w.String(e->source);
        w.Key("desc");
        w.String(e->desc);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::string text(buf.GetString(), buf.GetSize());
    text += '\n';
    replace_file(state_file_, text);
}

std::vector<const Entry*> BlockList::sorted() const {
    std::vector<const Entry*> out;
    out.reserve(entries_.size());
    for (const auto& kv : entries_) out.push_back(&kv.second);
    std::sort(out.begin(), out.end(), [](const Entry* a, const Entry* b) { return a->indicator < b->indicator; });
    return out;
}

}  // namespace sluice::output_blocklist
