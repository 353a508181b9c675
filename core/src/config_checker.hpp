// SPDX-License-Identifier: AGPL-3.0-or-later
// Reading the configuration's TOML with one error line per problem, each naming the file, the line
// and the key. Shared by config.cpp (bots, edges) and config_transports.cpp ([transports.*]).
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "sluice/core/config.hpp"

namespace sluice::config_detail {

class Checker {
 public:
    Checker(const std::filesystem::path& file, std::vector<std::string>& errors)
        : file_(file.string()), errors_(errors) {}

    void error(const toml::node* where, const std::string& what) {
        std::ostringstream os;
        os << file_;
        if (where && where->source().begin.line) os << ":" << where->source().begin.line;
        os << ": " << what;
        errors_.push_back(os.str());
    }
    void unknown_keys(const toml::table& t, const std::string& table_name,
                      std::initializer_list<std::string_view> known) {
        for (auto&& [k, v] : t) {
            if (std::find(known.begin(), known.end(), k.str()) == known.end()) {
                std::string list;
                for (auto kk : known) list += (list.empty() ? "" : ", ") + std::string(kk);
                error(&v, "unknown key '" + std::string(k.str()) + "' in " + table_name + " (known: " + list + ")");
            }
        }
    }
    template <class T>
    void read(const toml::table& t, std::string_view key, T& out, const std::string& where) {
        const toml::node* n = t.get(key);
        if (!n) return;
        if constexpr (std::is_same_v<T, double>) {
            if (auto v = n->value<double>()) {
                out = *v;
                return;
            }
        } else if (auto v = n->value<T>()) {
            out = *v;
            return;
        }
        error(n, where + "." + std::string(key) + " has the wrong type");
    }
    // A size in bytes: an integer, or a string with a binary suffix as systemd writes them
    // ("512M", "2G", "64K").
    void read_size(const toml::table& t, std::string_view key, uint64_t& out, const std::string& where) {
        const toml::node* n = t.get(key);
        if (!n) return;
        if (auto v = n->value<int64_t>(); v && *v >= 0) {
            out = static_cast<uint64_t>(*v);
            return;
        }
        if (auto text = n->value<std::string>()) {
            size_t used = 0;
            unsigned long long number = 0;
            try {
                number = std::stoull(*text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            const std::string unit = used ? text->substr(used) : "";
            const int shift = unit.empty()  ? 0
                              : unit == "K" ? 10
                              : unit == "M" ? 20
                              : unit == "G" ? 30
                              : unit == "T" ? 40
                                            : -1;
            if (used && shift >= 0 && number <= (UINT64_MAX >> shift)) {
                out = static_cast<uint64_t>(number) << shift;
                return;
            }
        }
        error(n, where + "." + std::string(key) + " must be a number of bytes or a size such as \"512M\" or \"2G\"");
    }

 private:
    std::string file_;
    std::vector<std::string>& errors_;
};

// Reads the [transports] table (file, zmq, amqp) into `cfg`.
void read_transports(Checker& c, const toml::table& transports, Config& cfg);

}  // namespace sluice::config_detail
