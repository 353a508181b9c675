/* SPDX-License-Identifier: MIT
 *
 * Sluice bot ABI, version 1 — the one contract between sluice-host and a bot plugin (.so).
 * This header is MIT-licensed (unlike the rest of Sluice, AGPL-3.0-or-later) so that in-house and
 * proprietary bots can be built against it.
 *
 * RULES OF THE BOUNDARY (tested by tests/unit/test_abi_layout.cpp and the broken fixture plugins):
 *  1. A plugin exports exactly one C symbol, `sluice_bot_entry_v1`, returning a pointer to a static
 *     `sluice_bot_desc`. The host refuses a plugin whose entry symbol is missing, whose `abi_major`
 *     differs from SLUICE_ABI_MAJOR, whose `struct_size` is smaller than the 1.0 layout, or which
 *     lacks the callback its kind needs — and says which file and why.
 *  2. Structs are append-only. A new field is added at the end with a `since 1.N` comment and the
 *     minor version is bumped; nothing is ever reordered, resized or removed. Readers check
 *     `struct_size` before touching a field and treat a NULL function pointer as "not provided".
 *  3. Strings that change at run time cross as borrowed `sluice_str` views {ptr, len}: not
 *     NUL-terminated, owned by the side that passed them, valid only for the duration of the call
 *     unless a comment says otherwise. Descriptor strings (`const char *` in the static tables) are
 *     NUL-terminated and live as long as the plugin is loaded.
 *  4. No C++ type, no exception and no ownership crosses the boundary. Messages are opaque handles
 *     owned by the host; a bot reads and writes them only through `sluice_host_api`, so the
 *     harmonization (field names, types, sanitizing) is enforced in one place, in the host.
 *  5. Bots never link against host symbols: every host service comes through the function table
 *     handed to `create`, so any host — a test harness included — can drive a plugin.
 *
 * Only <stdint.h> and <stddef.h> are used, so this header compiles as C89-ish C and as C++.
 */
#ifndef SLUICE_BOT_H
#define SLUICE_BOT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_ABI_MAJOR 1
#define SLUICE_ABI_MINOR 1

/* The exported entry point's name, as a string for dlsym. */
#define SLUICE_BOT_ENTRY_SYMBOL "sluice_bot_entry_v1"

#if defined(_WIN32)
#define SLUICE_BOT_EXPORT __declspec(dllexport)
#else
#define SLUICE_BOT_EXPORT __attribute__((visibility("default")))
#endif

/* A borrowed, not NUL-terminated string view. */
typedef struct sluice_str {
    const char* ptr;
    size_t len;
} sluice_str;

/* What a callback tells the host. */
typedef enum sluice_status {
    SLUICE_OK = 0,     /* done; for process: the input message may be acknowledged */
    SLUICE_RETRY = 1,  /* a transient failure: the host retries the message (error_max_retries) */
    SLUICE_REJECT = 2, /* the message itself is bad: dumped at once, never retried */
    SLUICE_FATAL = 3   /* the bot cannot go on (bad configuration, lost resource): the host stops */
} sluice_status;

typedef enum sluice_bot_kind {
    SLUICE_KIND_COLLECTOR = 1, /* produces Reports: `collect` */
    SLUICE_KIND_PARSER = 2,    /* Report in, Events out: `process` */
    SLUICE_KIND_EXPERT = 3,    /* Event in, Events out: `process` */
    SLUICE_KIND_OUTPUT = 4     /* Event in, delivered elsewhere: `process` + `flush` */
} sluice_bot_kind;

typedef enum sluice_param_type {
    SLUICE_PARAM_STRING = 1,
    SLUICE_PARAM_INT = 2,
    SLUICE_PARAM_FLOAT = 3,
    SLUICE_PARAM_BOOL = 4,
    SLUICE_PARAM_STRING_LIST = 5, /* also accepts one comma-separated string, as IntelMQ does */
    SLUICE_PARAM_JSON = 6         /* any value; the bot receives it serialized as JSON text */
} sluice_param_type;

/* One entry of a bot's declarative parameter table: the single source for validation, defaults,
 * `sluicectl list bots` and the generated docs. */
typedef struct sluice_param_def {
    const char* name;          /* IntelMQ's parameter name where IntelMQ has the same bot */
    uint32_t type;             /* sluice_param_type */
    uint32_t required;         /* non-zero: the configuration must set it */
    const char* default_value; /* JSON text of the default, or NULL for "no default" */
    const char* help;          /* one sentence for people */
} sluice_param_def;

/* Opaque handles, owned by the host. */
typedef struct sluice_ctx sluice_ctx;       /* one running bot instance's view of the host */
typedef struct sluice_msg sluice_msg;       /* one Report or Event */
typedef struct sluice_params sluice_params; /* the validated parameters, defaults filled in */

typedef enum sluice_msg_type { SLUICE_MSG_REPORT = 1, SLUICE_MSG_EVENT = 2 } sluice_msg_type;

typedef enum sluice_log_level {
    SLUICE_LOG_DEBUG = 10,
    SLUICE_LOG_INFO = 20,
    SLUICE_LOG_WARNING = 30,
    SLUICE_LOG_ERROR = 40,
    SLUICE_LOG_CRITICAL = 50
} sluice_log_level;

/* Flags for field_set. */
#define SLUICE_SET_OVERWRITE 1u /* replace an existing value instead of failing with EXISTS */
#define SLUICE_SET_JSON 2u      /* the value is JSON text (numbers, booleans, objects for extra.*) */

/* Results of field_set / field_remove. */
typedef enum sluice_field_result {
    SLUICE_FIELD_OK = 0,
    SLUICE_FIELD_IGNORED = 1,     /* "", "-", "N/A" and the like: not an error, nothing stored */
    SLUICE_FIELD_EXISTS = 2,      /* the key has a value and OVERWRITE was not given */
    SLUICE_FIELD_UNKNOWN_KEY = 3, /* not in the harmonization for this message type */
    SLUICE_FIELD_INVALID = 4,     /* the value fails the key's type even after sanitizing */
    SLUICE_FIELD_NOT_FOUND = 5    /* field_remove: no such key */
} sluice_field_result;

/* Modes of msg_hash (since 1.0): IntelMQ's filter_type. */
#define SLUICE_HASH_BLACKLIST 0u /* hash every field except the given keys */
#define SLUICE_HASH_WHITELIST 1u /* hash only the given keys */

/* Flags for msg_json. */
#define SLUICE_JSON_HIERARCHICAL 1u /* nest dotted keys: {"source": {"ip": ...}} */

/* The host's services. Handed to `create`; valid until `destroy` returns. Every function may be
 * called only from the thread that called the bot's callback. */
typedef struct sluice_host_api {
    size_t struct_size; /* sizeof(sluice_host_api) as the host was built */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Logging, to the bot's log with its name. */
    void (*log)(sluice_ctx* ctx, uint32_t level, sluice_str text);
    /* The reason for the next non-OK status this callback returns; shown to operators and stored in
     * the dump entry. The host copies the text. */
    void (*set_error)(sluice_ctx* ctx, sluice_str text);

    /* Parameters. A scalar is returned as text (integers in decimal, booleans "true"/"false",
     * JSON parameters as JSON text). Returns 1 when the parameter has a value, 0 otherwise.
     * The view stays valid until `destroy` returns. */
    int (*param_get)(const sluice_params* params, sluice_str name, sluice_str* out);
    /* A STRING_LIST parameter: its length, and one item. */
    size_t (*param_list_size)(const sluice_params* params, sluice_str name);
    int (*param_list_item)(const sluice_params* params, sluice_str name, size_t index, sluice_str* out);

    /* Messages. A message handle passed to `process` is valid until `process` returns; one made by
     * new_event/new_report is valid until the callback that made it returns. */
    uint32_t (*msg_type)(const sluice_msg* msg); /* sluice_msg_type */
    /* Copies feed.*, time.observation and rtir_id from `report` (may be NULL) into a new Event. */
    sluice_msg* (*new_event)(sluice_ctx* ctx, const sluice_msg* report);
    sluice_msg* (*new_report)(sluice_ctx* ctx);
    /* Looks a key up. String-typed values come back as their text; other values (integers,
     * floats, booleans, extra.* objects) as JSON text. The view is valid until the message is
     * changed or the callback returns. Returns 1 when present. */
    int (*field_get)(const sluice_msg* msg, sluice_str key, sluice_str* out);
    /* Sanitizes and validates `value` by the key's harmonization type, then stores it. On any result
     * but OK the message is unchanged and set_error's text says why. */
    uint32_t (*field_set)(sluice_ctx* ctx, sluice_msg* msg, sluice_str key, sluice_str value, uint32_t flags);
    uint32_t (*field_remove)(sluice_msg* msg, sluice_str key);
    /* Iteration by index, in insertion order; index < field_count. */
    size_t (*field_count)(const sluice_msg* msg);
    int (*field_at)(const sluice_msg* msg, size_t index, sluice_str* key, sluice_str* value);
    /* The message in IntelMQ's JSON wire format. Valid until the next msg_json call on this ctx or
     * the callback's return. */
    sluice_str (*msg_json)(sluice_ctx* ctx, const sluice_msg* msg, uint32_t flags);

    /* Sends a copy of `msg` to the named path ("_default" when path.len == 0). The host makes it
     * durable downstream before it acknowledges the input. Returns 0 on success, -1 when the path
     * is not configured (set_error says which) — a bot may emit to optional paths. */
    int (*emit)(sluice_ctx* ctx, const sluice_msg* msg, sluice_str path);
    /* Gives up on one record of the current input (a bad line of a feed): the host dumps `record`
     * with `reason` and counts it, and the bot goes on with the rest. */
    void (*fail_record)(sluice_ctx* ctx, sluice_str record, sluice_str reason);

    /* Adds `delta` to the bot's own counter `name` (shown by sluicectl status and /metrics). */
    void (*counter_add)(sluice_ctx* ctx, sluice_str name, int64_t delta);
    /* Non-zero once the host was asked to stop: a long collect or process should return soon. */
    int (*should_stop)(sluice_ctx* ctx);

    /* Why the last field_set on this ctx refused its value (empty if it did not). Valid until the
     * next field_set or the callback's return. */
    sluice_str (*field_error)(sluice_ctx* ctx);
    /* The bot is done with a message it made with new_event/new_report (after emitting it): the
     * host may reuse its memory at once, so a parser emitting a million events from one report does
     * not hold them all until process returns. The handle is invalid afterwards. */
    void (*msg_discard)(sluice_ctx* ctx, sluice_msg* msg);

    /* since 1.0 (appended before the 1.0 release): IntelMQ's Message.hash() — the SHA-256, as 64
     * lowercase hex digits plus a NUL in `out_hex`, over the message's fields sorted by key with
     * their values as Python's repr() writes them (the host knows each value's JSON type, which
     * field_get does not tell). time.observation is always left out; `mode` says whether the
     * `key_count` keys in `keys` are left out (SLUICE_HASH_BLACKLIST) or are the only ones used
     * (SLUICE_HASH_WHITELIST). Returns 0, or -1 when it cannot (an unknown mode; set_error says why). */
    int (*msg_hash)(sluice_ctx* ctx, const sluice_msg* msg, const sluice_str* keys, size_t key_count, uint32_t mode,
                    char out_hex[65]);
} sluice_host_api;

/* What a plugin exports. A static object: the host never writes to it. */
typedef struct sluice_bot_desc {
    size_t struct_size; /* sizeof(sluice_bot_desc) as the plugin was built */
    uint16_t abi_major; /* SLUICE_ABI_MAJOR */
    uint16_t abi_minor; /* SLUICE_ABI_MINOR */
    uint32_t kind;      /* sluice_bot_kind */
    const char* name;   /* the plugin's name, "parser_csv" */
    const char* version;
    const char* description;
    const sluice_param_def* params;
    size_t param_count;

    /* Makes an instance. `host` and `params` stay valid until destroy. Returns SLUICE_OK and sets
     * *state, or another status after host->set_error. */
    uint32_t (*create)(const sluice_host_api* host, sluice_ctx* ctx, const sluice_params* params, void** state);
    /* Parsers, experts and outputs: handle one input message; emit any number of messages. */
    uint32_t (*process)(void* state, sluice_ctx* ctx, sluice_msg* input);
    /* Collectors: fetch once and emit Reports. The host calls it again after rate_limit. */
    uint32_t (*collect)(void* state, sluice_ctx* ctx);
    /* Make everything handed over so far durable (outputs: fsync, commit). Called once per batch
     * before the input is acknowledged. May be NULL. */
    uint32_t (*flush)(void* state, sluice_ctx* ctx);
    /* Everything emitted since the previous call is now durable downstream (collectors delete or
     * move what they read here, not earlier). May be NULL. */
    void (*on_durable)(void* state, sluice_ctx* ctx);
    void (*destroy)(void* state);

    /* since 1.1: the paths the bot emits to besides "_default" (and the host's "_on_error"), a
     * NULL-terminated list; "*" in it means "and the paths its parameters name" (expert_sieve).
     * NULL: not declared (a 1.0 plugin), and `sluicectl check` accepts any path in its `to`;
     * otherwise check refuses a path the bot never emits to (a misspelt `_defualt`). */
    const char* const* paths;
} sluice_bot_desc;

/* The one symbol a plugin exports. */
typedef const sluice_bot_desc* (*sluice_bot_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_BOT_H */
