// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/host.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <thread>

#include "crash_guard.hpp"
#include "memory_limit.hpp"
#include "sluice/core/clock.hpp"
#include "sluice/core/input_set.hpp"
#include "sluice/core/link_status.hpp"
#include "watchdog.hpp"

namespace sluice {
namespace {

// A bot's output is sent early once this much is pending (see the emit hook). Sending costs no
// sync (that waits for the batch's end), so this only bounds what a big report holds in memory.
constexpr size_t kEarlyDeliveryBytes = 256u << 10;
// Batches sent downstream and not yet durable there, at most, before the host waits.
constexpr size_t kMaxBatchesInFlight = 8;
// How long a take waits for input: with nothing in flight, a while; with batches in flight, from
// the shortest to the longest of these (see run_processor).
constexpr auto kIdleWait = std::chrono::milliseconds(200);
constexpr auto kInFlightWaitMin = std::chrono::milliseconds(1);
constexpr auto kInFlightWaitMax = std::chrono::milliseconds(64);
// A bot with on_durable (a deduplicator stores its hashes there, a push collector answers its
// senders) gets it at least this often under steady load: the host then waits until nothing is in
// flight, which is what on_durable means.
constexpr auto kOnDurableEvery = std::chrono::milliseconds(200);
// On stop, how long the host still waits for batches in flight to become durable, so that a clean
// stop does not make the next start deliver them again.
constexpr auto kExitGrace = std::chrono::seconds(2);

// A bot's error that names a full disk: the text of ENOSPC and EDQUOT as strerror gives it, which
// is what a C++ bot's std::system_error and a Python bot's OSError carry. The ABI has no errno for
// a failure, and every bot, whatever its language, says it this way.
bool disk_full_error(std::string_view error) {
    return error.find("No space left on device") != std::string_view::npos ||
           error.find("Disk quota exceeded") != std::string_view::npos;
}
constexpr int kDiskFullRetrySeconds = 1;

// Thrown when a stop request interrupts a retry delay: the batch is left unacknowledged and the
// host exits cleanly; the batch comes again on the next start.
struct StopRequested {};

// Thrown when a message failed for good and the bot's error_procedure is "stop".
struct ErrorProcedureStop {
    std::string why;
};

}  // namespace

Host::Host(Config cfg, std::string bot_id, TransportFactory& transports, HostSignals& signals)
    : cfg_(std::move(cfg)),
      id_(std::move(bot_id)),
      transports_(transports),
      signals_(signals),
      log_(id_),
      dump_(cfg_.dump_file(id_)) {
    auto it = cfg_.bots.find(id_);
    if (it == cfg_.bots.end()) throw std::runtime_error(cfg_.file.string() + ": no bot '" + id_ + "'");
    bot_cfg_ = &it->second;
    if (bot_cfg_->remote)
        throw std::runtime_error("bot '" + id_ + "' is declared remote = true in " + cfg_.file.string() +
                                 ": it runs on another machine");
    log_.configure(bot_cfg_->settings, cfg_.log_file(id_));
    // Polled while the host waits on the bot's behalf (an output queue full or its disk full): the
    // host is not hung then, and says so to the watchdog and, through its counters file, to
    // `sluicectl status` (a counters file that stops changing while input waits means "stuck").
    stop_token_ = [this] {
        if (watchdog_) watchdog_->alive();
        publish_stats();
        return signals_.stop.load();
    };

    // One instance per bot, by a lock the kernel drops when the process dies, not a PID file.
    std::filesystem::create_directories(cfg_.var_dir / "run");
    const auto lock_file = cfg_.var_dir / "run" / (id_ + ".lock");
    lock_fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw std::runtime_error(lock_file.string() + ": " + std::strerror(errno));
    // sluicectl status/health probe the lock with a brief shared lock: a host starting in that
    // instant waits it out (up to 0.5 s) instead of taking it for a second instance.
    bool locked = false;
    for (int attempt = 0; attempt < 25 && !locked; ++attempt) {
        locked = ::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0;
        if (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!locked)
        throw std::runtime_error("bot '" + id_ + "' is already running (" + lock_file.string() + " is locked)");
    // The holder's pid, for `sluicectl stop|reload`: read only while the lock is held, and checked
    // against /proc before any signal, so it can never point at a foreign process.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0)
        log_.warning(lock_file.string() + ": cannot record the pid: " + std::strerror(errno));

    harmonization_ = std::make_shared<const Harmonization>(load_harmonization(cfg_));
    limit_memory(bot_cfg_->settings.memory_max, id_);
    watchdog_ = std::make_unique<Watchdog>(std::chrono::duration<double>(bot_cfg_->settings.process_timeout), id_);
    start_bot();
    if (bot_->kind() != SLUICE_KIND_COLLECTOR) {
        std::vector<std::unique_ptr<QueueConsumer>> inputs;
        for (const auto& transport : cfg_.input_transports(id_))
            inputs.push_back(transports_.consumer(cfg_, id_, transport));
        input_ = std::make_unique<InputSet>(std::move(inputs));
        input_->also_wake_on(outbox_.wake_handles());
        crash_guard_ = std::make_unique<CrashGuard>(cfg_.var_dir / "run" / (id_ + ".inflight"),
                                                    bot_cfg_->settings.crash_max_deliveries);
        if (crash_guard_->suspect()) {
            static const std::map<CrashGuard::Death, std::string> how = {
                {CrashGuard::Death::crash, "crashed"},
                {CrashGuard::Death::timed_out, "timed out (process_timeout)"},
                {CrashGuard::Death::out_of_memory, "ran out of memory (memory_max)"},
                {CrashGuard::Death::unknown, "was killed"}};
            log_.warning("the previous process " + how.at(crash_guard_->predecessor_death()) +
                         " while processing a batch: taking the next batch message by message, to catch a "
                         "message that kills the host");
        }
    }
}

Host::~Host() {
    bot_.reset();
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Host::start_bot() {
    plugin_ = std::make_shared<Plugin>(find_plugin(bot_cfg_->plugin, plugin_search_path(cfg_.plugin_path)));
    if (input_) input_->also_wake_on({});  // the handles go with the producers replaced here
    outbox_ = Outbox();
    for (const auto& [path, targets] : bot_cfg_->paths)
        for (const auto& target : targets)
            outbox_.add_route(path, target.bot + "/" + target.transport,
                              std::shared_ptr<QueueProducer>(transports_.producer(cfg_, target)));
    if (input_) input_->also_wake_on(outbox_.wake_handles());
    BotHooks hooks;
    hooks.emit = [this](std::string_view path, const Message& m) {
        if (!outbox_.emit(path, m)) return false;
        // A parser turning one big report into many events sends them as it goes instead of
        // holding them all: duplicates after a crash, never losses. Stopping keeps them pending.
        if (outbox_.pending_bytes() > kEarlyDeliveryBytes) (void)outbox_.send(stop_token_, stats_.sent);
        return true;
    };
    hooks.fail_record = [this](std::string_view record, std::string_view reason) {
        ++stats_.failed;
        ++stats_.dumped;
        log_.warning("record failed: " + std::string(reason));
        // The record is dumped as its input message with raw = that record, so it can be replayed.
        if (current_) {
            Message copy = current_->message;
            copy.set("raw", record, true);
            dump_.add(id_, id_ + "-queue", reason, copy.json(), true);
        } else {
            dump_.add(id_, "", reason, record, false);
        }
    };
    hooks.counter = [this](std::string_view name, int64_t delta) { stats_.custom[std::string(name)] += delta; };
    hooks.should_stop = [this] { return signals_.stop.load(); };
    bot_ = std::make_unique<BotInstance>(plugin_, bot_cfg_->parameters_json, harmonization_, log_, std::move(hooks));
    input_msg_ = std::make_unique<sluice_msg>(sluice_msg{Message(MessageType::event, *harmonization_)});
    log_.info(std::string("started ") + kind_name(bot_->kind()) + " " + plugin_->name() + " " +
              plugin_->desc().version + " from " + plugin_->file().string());
}

int Host::run() {
    int code = 1;
    try {
        code = bot_->kind() == SLUICE_KIND_COLLECTOR ? run_collector() : run_processor();
    } catch (const StopRequested&) {
        complete_before_exit();
        code = 0;
    } catch (const ErrorProcedureStop& e) {
        log_.log(LogLevel::critical, "stopping, error_procedure is \"stop\": " + e.why);
        complete_before_exit();  // the batches before the failed one are done
        code = kExitErrorProcedureStop;
    } catch (const std::exception& e) {
        log_.log(LogLevel::critical, e.what());
        code = 1;
    }
    stats_.state = code == 0 ? "stopped" : "failed";
    publish_stats(true);
    log_.info(code == 0 ? "stopped" : "stopped after a failure");
    return code;
}

bool Host::sleep_interruptibly(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
        if (signals_.stop) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

void Host::publish_stats(bool force) {
    const auto now = std::chrono::steady_clock::now();
    // Becoming idle is published at once, like starting work: what status shows then is final.
    const bool becomes_idle = stats_.in_flight == 0 && !idle_published_;
    if (!force && !becomes_idle && now - last_publish_ < std::chrono::milliseconds(250)) return;
    last_publish_ = now;
    idle_published_ = stats_.in_flight == 0;
    stats_.values_repaired = Message::repaired_values();
    // A broker link that fails (refused login, unreachable) shows in the state, not only the log.
    stats_.problem = link_status::summary();
    if (!stats_.problem.empty() && stats_.state == "running") stats_.state = "broker error";
    if (stats_.problem.empty() && stats_.state == "broker error") stats_.state = "running";
    stats_.publish(cfg_.stats_file(id_), id_, static_cast<long>(::getpid()));
}

bool Host::finish_batch() { return send_batch(0) && complete_all(stop_token_); }

bool Host::send_batch(size_t records) {
    CallResult flushed;
    {
        Watchdog::Inside inside(*watchdog_);
        flushed = bot_->flush();
    }
    if (CallResult& r = flushed; !r.ok()) {
        // Nothing is acknowledged: the batch comes again after the restart.
        log_.error("flush failed, the batch will be delivered again: " + r.error);
        return false;
    }
    if (!outbox_.send(stop_token_, stats_.sent)) return false;
    dump_.commit();
    in_flight_.push_back(BatchInFlight{outbox_.sent(), records});
    return true;
}

size_t Host::records_in_flight() const {
    size_t n = 0;
    for (const BatchInFlight& batch : in_flight_) n += batch.records;
    return n;
}

bool Host::complete_oldest(const StopToken* wait) {
    const BatchInFlight& batch = in_flight_.front();
    if (wait ? !outbox_.wait_durable(batch.tickets, *wait) : !outbox_.durable(batch.tickets)) return false;
    if (input_) input_->ack_oldest();
    stats_.processed += batch.records;
    in_flight_.pop_front();
    if (in_flight_.empty()) {
        // Everything emitted so far is durable: exactly what on_durable promises the bot.
        bot_->on_durable();
        durable_at_ = std::chrono::steady_clock::now();
        if (crash_guard_) crash_guard_->batch_done();
    }
    return true;
}

bool Host::complete_all(const StopToken& stop) {
    while (!in_flight_.empty())
        if (!complete_oldest(&stop)) return false;
    return true;
}

void Host::complete_durable() {
    while (!in_flight_.empty() && complete_oldest(nullptr)) {
    }
}

bool Host::settle() {
    complete_durable();
    // In suspect mode every batch must end before the next starts (CrashGuard); a reload replaces
    // the output queues.
    const bool drain = crash_guard_->suspect() || signals_.reload ||
                       (bot_->wants_on_durable() && std::chrono::steady_clock::now() - durable_at_ >= kOnDurableEvery);
    while (!in_flight_.empty() && (drain || in_flight_.size() > kMaxBatchesInFlight))
        if (!complete_oldest(&stop_token_)) return false;
    return true;
}

void Host::complete_before_exit() {
    if (in_flight_.empty()) return;
    const auto until = std::chrono::steady_clock::now() + kExitGrace;
    bool done = false;
    try {
        done = complete_all([until] { return std::chrono::steady_clock::now() >= until; });
    } catch (const std::exception& e) {
        log_.error(std::string("while completing the batches in flight: ") + e.what());
    }
    if (!done)
        log_.info(std::to_string(records_in_flight()) +
                  " message(s) were not yet durable downstream: they are delivered again on the next start");
}

// A message failed for good: IntelMQ's error policy decides what is logged, whether it is dumped and
// sent to _on_error ("pass"), or whether the bot stops with the batch unacknowledged ("stop").
void Host::give_up(std::string_view record, const std::string& error, int64_t attempts) {
    const BotSettings& s = bot_cfg_->settings;
    ++stats_.failed;
    std::string line = "message failed after " + std::to_string(attempts) + " attempt(s)";
    if (s.error_log_exception) line += ": " + error;
    if (s.error_log_message) line += "; message: " + std::string(record.substr(0, 4096));
    if (s.error_procedure == "stop") {
        log_.error(line);
        throw ErrorProcedureStop{error};
    }
    if (s.error_dump_message) {
        ++stats_.dumped;
        dump_.add(id_, id_ + "-queue", error, record, true);
        line += " (dumped)";
    }
    log_.error(line);
    std::string why;
    Message original(MessageType::event, *harmonization_);
    if (outbox_.has_path("_on_error") && Message::decode(record, original, why)) outbox_.emit("_on_error", original);
}

void Host::log_progress() {
    const auto now = std::chrono::steady_clock::now();
    const BotSettings& s = bot_cfg_->settings;
    const uint64_t n = stats_.processed - processed_logged_;
    if (n == 0) return;
    if (n < static_cast<uint64_t>(std::max<int64_t>(s.log_processed_messages_count, 1)) &&
        now - progress_logged_at_ < std::chrono::duration<double>(s.log_processed_messages_seconds))
        return;
    log_.info("processed " + std::to_string(n) + " messages since last logging");
    processed_logged_ = stats_.processed;
    progress_logged_at_ = now;
}

void Host::disk_full(bool waiting) {
    disk_waits_ = std::max(0, disk_waits_ + (waiting ? 1 : -1));
    if (waiting && disk_waits_ == 1) ++stats_.disk_full_waits;
    stats_.state = disk_waits_ > 0 ? "disk full" : "running";
    publish_stats(true);
}

bool Host::wait_for_disk_space(const std::string& error, bool& waiting) {
    // One spell per message, however many retries it takes: one warning, one count.
    if (!waiting) {
        waiting = true;
        disk_full(true);
        log_.warning("disk full, the message is tried again every " + std::to_string(kDiskFullRetrySeconds) +
                     " s until there is room (not counted against error_max_retries, never dumped for it): " + error);
    }
    return sleep_interruptibly(kDiskFullRetrySeconds);
}

void Host::process_one(std::string_view record) {
    ++stats_.received;
    std::string why;
    sluice_msg& in = *input_msg_;
    // The record stays valid until the batch is acknowledged: an unchanged message is passed on as
    // these bytes. It is cleared below, before the record can go away.
    if (!Message::decode(record, in.message, why, true)) {
        // Undecodable input is never retried: no retry can make it decodable.
        ++stats_.failed;
        ++stats_.dumped;
        log_.error("cannot decode input, dumped: " + why);
        dump_.add(id_, id_ + "-queue", "cannot decode: " + why, record, false);
        return;
    }
    current_ = &in;
    bool waiting_for_disk = false;
    struct EndSpell {
        Host& host;
        bool& waiting;
        ~EndSpell() {
            if (waiting) host.disk_full(false);
        }
    } end_spell{*this, waiting_for_disk};
    for (int64_t attempt = 0;; ++attempt) {
        outbox_.mark(mark_);
        // A failed attempt takes back the records it gave up too, so a retry does not dump them twice.
        const size_t dump_mark = dump_.mark();
        const uint64_t failed_before = stats_.failed, dumped_before = stats_.dumped;
        CallResult r;
        {
            Watchdog::Inside inside(*watchdog_);
            r = bot_->process(in);
        }
        if (r.ok()) break;
        outbox_.rollback(mark_);
        dump_.rollback(dump_mark);
        stats_.failed = failed_before;
        stats_.dumped = dumped_before;
        if (r.status == SLUICE_FATAL) throw std::runtime_error("the bot cannot go on: " + r.error);
        if (r.status == SLUICE_RETRY && disk_full_error(r.error)) {
            if (!wait_for_disk_space(r.error, waiting_for_disk)) throw StopRequested{};
            if (!Message::decode(record, in.message, why, true)) break;
            --attempt;  // not an attempt that counts
            continue;
        }
        if (r.status == SLUICE_RETRY && attempt < bot_cfg_->settings.error_max_retries) {
            ++stats_.retried;
            log_.warning("processing failed (attempt " + std::to_string(attempt + 1) + "), retrying: " + r.error);
            if (!sleep_interruptibly(bot_cfg_->settings.error_retry_delay)) throw StopRequested{};
            if (!Message::decode(record, in.message, why, true)) break;  // the bot may have changed it
            continue;
        }
        give_up(record, r.error, attempt + 1);
        break;
    }
    current_ = nullptr;
    in.message.clear();
}

int Host::run_processor() {
    const auto batch_size = static_cast<size_t>(bot_cfg_->settings.batch_size);
    std::chrono::milliseconds in_flight_wait = kInFlightWaitMin;
    while (!signals_.stop) {
        if (signals_.reload) {
            if (!complete_all(stop_token_)) break;
            signals_.reload = false;
            reload();
        }
        // While batches are in flight, the host waits for input only briefly, then looks whether
        // they became durable. It never blocks on them here: a ZeroMQ acknowledgement comes back
        // only once the whole chain behind holds the batch, and input arriving meanwhile would wait
        // that long. A ZeroMQ input also wakes when an acknowledgement arrives (also_wake_on); for
        // the others, the wait doubles while nothing happens, so a receiver that stays away costs
        // a look every 64 ms.
        const auto& batch = input_->take(batch_size, in_flight_.empty() ? kIdleWait : in_flight_wait);
        if (batch.empty()) {
            // A file queue's group commit (one fsync for every batch in flight); ZeroMQ reads the
            // acknowledgements that woke the take.
            outbox_.sync();
            if (!in_flight_.empty()) {
                const size_t before = in_flight_.size();
                complete_durable();
                in_flight_wait =
                    in_flight_.size() < before ? kInFlightWaitMin : std::min(in_flight_wait * 2, kInFlightWaitMax);
            }
            stats_.in_flight = records_in_flight();
            publish_stats();
            continue;
        }
        in_flight_wait = kInFlightWaitMin;
        // Published at once when work starts after a pause: `sluicectl up --until-idle` must never
        // read an old "nothing in flight" while this batch waits for a slow ZeroMQ receiver.
        const bool was_idle = idle_published_;
        stats_.in_flight = records_in_flight() + batch.size();
        if (was_idle) publish_stats(true);
        crash_guard_->begin_batch();
        for (std::string_view record : batch) {
            if (crash_guard_->suspect()) {
                const int64_t crashes = crash_guard_->crashes_of(record);
                if (crashes >= crash_guard_->max_crashes()) {
                    ++stats_.received;
                    ++stats_.failed;
                    ++stats_.dumped;
                    const std::string why = crash_guard_->dump_reason(crashes);
                    log_.error("message dumped unprocessed: " + why);
                    dump_.add(id_, id_ + "-queue", why, record, true);
                    continue;
                }
            }
            process_one(record);
        }
        crash_guard_->processing_done();
        stats_.last_message = utc_now_iso();  // once per batch: formatting the time per record cost 1%
        if (!send_batch(batch.size())) {
            if (signals_.stop) break;
            return 1;
        }
        if (!settle()) break;
        stats_.in_flight = records_in_flight();
        publish_stats();
        log_progress();
    }
    complete_before_exit();
    return 0;
}

int Host::run_collector() {
    const bool once = bot_cfg_->settings.run_mode == "scheduled";
    // A continuous collector with no rate_limit would spin: wait at least a second between runs.
    const double pause = bot_cfg_->settings.rate_limit > 0 ? bot_cfg_->settings.rate_limit : 1.0;
    while (!signals_.stop) {
        if (signals_.reload.exchange(false)) reload();
        CallResult r;
        {
            Watchdog::Inside inside(*watchdog_);
            r = bot_->collect();
        }
        ++stats_.collected;
        if (r.status == SLUICE_FATAL) throw std::runtime_error("the collector cannot go on: " + r.error);
        if (!r.ok()) log_.error("collect failed: " + r.error);
        if (!finish_batch()) return signals_.stop ? 0 : 1;
        stats_.last_message = utc_now_iso();
        publish_stats(true);
        if (once) break;
        if (!sleep_interruptibly(pause)) break;
    }
    return 0;
}

void Host::reload() {
    std::vector<std::string> errors;
    Config fresh = load_config(cfg_.file, errors);
    if (errors.empty() && !fresh.bots.count(id_)) errors.push_back("bot '" + id_ + "' is no longer configured");
    if (!errors.empty()) {
        for (const auto& e : errors) log_.error("reload refused: " + e);
        return;
    }
    Config previous = std::move(cfg_);
    cfg_ = std::move(fresh);
    bot_cfg_ = &cfg_.bots.at(id_);
    try {
        log_.configure(bot_cfg_->settings, cfg_.log_file(id_));
        bot_.reset();  // the old instance releases its resources before the new one takes them
        start_bot();
        limit_memory(bot_cfg_->settings.memory_max, id_);
        watchdog_ = std::make_unique<Watchdog>(std::chrono::duration<double>(bot_cfg_->settings.process_timeout), id_);
        log_.info("configuration reloaded");
    } catch (const std::exception& e) {
        log_.error(std::string("reload failed, going back to the previous configuration: ") + e.what());
        cfg_ = std::move(previous);
        bot_cfg_ = &cfg_.bots.at(id_);
        start_bot();
    }
}

}  // namespace sluice
