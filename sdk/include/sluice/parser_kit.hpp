// SPDX-License-Identifier: MIT
//
// The steps every parser shares, as IntelMQ's ParserBot has them: a report's text, its lines, and
// a loop over records in which one record that fails is dumped with its reason and line while the
// others go on. A parser then writes only what is its own: how one record becomes an event.
//
//     sluice::Status process(sluice::Message& report, sluice::Context& ctx) {
//         const auto text = sluice::parser::report_text(report, ctx);
//         if (!text) return sluice::Status::ok;  // no raw: warned
//         sluice::parser::Records records(report, ctx);
//         for (const auto& line : sluice::parser::split_lines(*text)) {
//             if (line.text.empty() || line.text.starts_with('#')) continue;
//             records.add(line.text, "line " + std::to_string(line.number), [&](sluice::Message& event) {
//                 event.set("source.ip", line.text);
//                 event.set("classification.type", "blacklist");
//                 event.set("raw", line.text);
//                 return std::string();  // or the reason the record fails
//             });
//         }
//         return sluice::Status::ok;  // records logs "sent N events and found M problem(s)"
//     }
//
// Header-only, on bot.hpp and codec.hpp; MIT like them. parser_csv keeps its own windowed reader
// for reports too large to decode at once (plugins/parser_csv/report_text.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sluice/bot.hpp"
#include "sluice/codec.hpp"

namespace sluice::parser {

// The report's raw, decoded. Without raw: nothing, after IntelMQ's warning (the report is
// acknowledged and dropped). Raw that is not Base64: RejectError, so the host dumps the report.
inline std::optional<std::string> report_text(const Message& report, Context& ctx) {
    const auto raw = report.get("raw");
    if (!raw) {
        ctx.warning("report without raw field received; possible bug or misconfiguration in previous bots");
        return std::nullopt;
    }
    try {
        return base64::decode(*raw);
    } catch (const base64::DecodeError& e) {
        throw RejectError(std::string("report field raw: ") + e.what());
    }
}

struct Line {
    std::string_view text;  // without its line break
    size_t number;          // 1-based, as Python counts str.splitlines()
};

// Python's str.splitlines(): \n, \r, \r\n, \v, \f, \x1c-\x1e, U+0085, U+2028 and U+2029 end a line;
// no empty last line after a final break.
inline std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> out;
    size_t start = 0, i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t len = 0;  // length of the line break at i, 0 when none
        if (c == '\r') {
            len = i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
        } else if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e) {
            len = 1;
        } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x85) {
            len = 2;  // U+0085
        } else if (c == 0xe2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
                    static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
            len = 3;  // U+2028, U+2029
        }
        if (len == 0) {
            ++i;
            continue;
        }
        out.push_back({text.substr(start, i - start), out.size() + 1});
        i += len;
        start = i;
    }
    if (start < text.size()) out.push_back({text.substr(start), out.size() + 1});
    return out;
}

// The records of one report. add() makes an event from the report (feed.* and time.observation
// copied, as IntelMQ's new_event does), lets `fill` set its fields, and emits it; when `fill`
// returns a reason or throws a RejectError (a field refused: FieldError), the record is handed to
// fail_record — dumped with "<where>: <reason>" — and the next record goes on. `record` (what is
// dumped) and `where` ("line 7") are text or, where making them costs (a copy with the header, a
// line number counted from the start), callables returning it, called only for a record that fails.
class Records {
 public:
    Records(const Message& report, Context& ctx) : report_(report), ctx_(ctx) {}
    ~Records() {
        ctx_.debug("sent " + std::to_string(sent_) + " events and found " + std::to_string(failed_) + " problem(s)");
    }
    Records(const Records&) = delete;
    Records& operator=(const Records&) = delete;

    // `fill(Message&)` returns std::string: empty when the event is complete.
    template <class Record, class Where, class Fill>
    void add(Record&& record, Where&& where, Fill&& fill) {
        Message event = ctx_.new_event(&report_);
        std::string problem;
        try {
            problem = fill(event);
        } catch (const RejectError& e) {
            problem = e.what();
        }
        if (problem.empty()) {
            ctx_.emit(event);
            ++sent_;
        } else {
            fail(text_of(record), text_of(where) + ": " + problem);
        }
        ctx_.discard(event);  // sent (as a copy) or failed: its memory can serve the next record
    }
    // A record that fails before it becomes an event (not an object, an unreadable header).
    void fail(std::string_view record, const std::string& reason) {
        ctx_.fail_record(record, reason);
        ++failed_;
    }
    size_t sent() const { return sent_; }
    size_t failed() const { return failed_; }

 private:
    template <class Text>
    static std::string text_of(Text& text) {
        if constexpr (std::is_invocable_v<Text&>)
            return std::string(text());
        else
            return std::string(text);
    }

    const Message& report_;
    Context& ctx_;
    size_t sent_ = 0, failed_ = 0;
};

}  // namespace sluice::parser
