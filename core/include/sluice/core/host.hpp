// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The processing loop of sluice-host: one bot, its input, its output edges. For every batch: take
// messages from the input, run the bot on each (retrying and dumping per the error policy), flush
// the bot, send every emitted message downstream, commit the dump, and acknowledge the batch
// upstream only once what it emitted is durable downstream. A crash at any point therefore loses
// nothing; at worst the batch is delivered again. Batches are pipelined: while the output of one is
// on its way (a ZeroMQ edge acknowledges only when the chain behind it holds it durably), the host
// takes and processes the next ones, up to kMaxBatchesInFlight, and acknowledges them in order.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "sluice/core/bot_instance.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/dump_file.hpp"
#include "sluice/core/log.hpp"
#include "sluice/core/outbox.hpp"
#include "sluice/core/stats.hpp"
#include "sluice/core/transport.hpp"

namespace sluice {

// Asynchronous requests from signal handlers.
struct HostSignals {
    std::atomic<bool> stop{false};    // SIGTERM, SIGINT: finish the batch, then exit
    std::atomic<bool> reload{false};  // SIGHUP: re-read the configuration between batches
};

class CrashGuard;
class Watchdog;

class Host {
 public:
    // Throws std::runtime_error with a message for people when the bot cannot start.
    Host(Config cfg, std::string bot_id, TransportFactory& transports, HostSignals& signals);
    ~Host();
    // Runs until stopped (or, for a scheduled collector, after one run). Returns the exit code:
    // 0 stopped cleanly, 1 the bot failed at run time, 3 a message failed and the bot's
    // error_procedure is "stop" (the supervisor does not restart it).
    int run();
    static constexpr int kExitErrorProcedureStop = 3;
    // An output queue (or the bot, with ENOSPC) waits for disk space: state "disk full" in the
    // published stats, for `status`, `/health` and the metrics, while any wait lasts.
    void disk_full(bool waiting);

 private:
    void start_bot();
    int run_collector();
    int run_processor();
    bool finish_batch();              // send_batch, then wait until it is durable; false on failure or stop
    bool send_batch(size_t records);  // flush, send, commit the dump; false on failure or stop
    // Acknowledges the oldest batch in flight if it is durable; with `wait`, waits for that first.
    bool complete_oldest(const StopToken* wait);
    bool complete_all(const StopToken& stop);
    size_t records_in_flight() const;
    void complete_durable();  // completes the oldest batches that are durable, without waiting
    bool settle();            // completes what is durable, waits where the window or on_durable says
    void complete_before_exit();
    void process_one(std::string_view record);
    // The bot failed on a full disk (ENOSPC, EDQUOT): not the message's fault, so it is retried until
    // there is room, without counting against error_max_retries. `waiting` is set on the first
    // wait of a message. False when a stop came meanwhile.
    bool wait_for_disk_space(const std::string& error, bool& waiting);
    void give_up(std::string_view record, const std::string& error, int64_t attempts);
    void log_progress();
    void reload();
    void publish_stats(bool force = false);
    bool sleep_interruptibly(double seconds);

    Config cfg_;
    std::string id_;
    const BotConfig* bot_cfg_ = nullptr;
    TransportFactory& transports_;
    HostSignals& signals_;
    Logger log_;
    std::shared_ptr<const Harmonization> harmonization_;
    std::shared_ptr<Plugin> plugin_;
    std::unique_ptr<BotInstance> bot_;
    std::unique_ptr<QueueConsumer> input_;
    bool idle_published_ = true;  // the last published counters (or none yet) said nothing was in flight
    int disk_waits_ = 0;          // waits for disk space in progress
    std::unique_ptr<CrashGuard> crash_guard_;
    std::unique_ptr<Watchdog> watchdog_;  // process_timeout
    uint64_t processed_logged_ = 0;       // `processed` at the last "processed N messages" log line
    std::chrono::steady_clock::time_point progress_logged_at_ = std::chrono::steady_clock::now();
    Outbox outbox_;
    Outbox::Mark mark_;
    struct BatchInFlight {
        Outbox::Tickets tickets;  // durable once these are
        size_t records = 0;
    };
    std::deque<BatchInFlight> in_flight_;  // sent, input not acknowledged yet, oldest first
    std::chrono::steady_clock::time_point durable_at_ = std::chrono::steady_clock::now();  // last on_durable
    DumpFile dump_;
    BotStats stats_;
    int lock_fd_ = -1;
    const sluice_msg* current_ = nullptr;  // the input being processed, for fail_record
    std::unique_ptr<sluice_msg> input_msg_;
    std::chrono::steady_clock::time_point last_publish_{};
    StopToken stop_token_;
};

}  // namespace sluice
