// SPDX-License-Identifier: AGPL-3.0-or-later
// Pins the ABI v1 layout of bot.h. If one of these fails, a field was moved, resized or removed:
// every plugin built against the old header would now be read wrongly. Add fields at the end only.
#include <sluice/bot.h>

#include <doctest/doctest.h>
#include <cstddef>

TEST_CASE("sluice_bot_desc keeps its 1.0 layout (LP64)") {
    static_assert(sizeof(void*) == 8, "the pinned offsets are for LP64 targets");
    CHECK(offsetof(sluice_bot_desc, struct_size) == 0);
    CHECK(offsetof(sluice_bot_desc, abi_major) == 8);
    CHECK(offsetof(sluice_bot_desc, abi_minor) == 10);
    CHECK(offsetof(sluice_bot_desc, kind) == 12);
    CHECK(offsetof(sluice_bot_desc, name) == 16);
    CHECK(offsetof(sluice_bot_desc, version) == 24);
    CHECK(offsetof(sluice_bot_desc, description) == 32);
    CHECK(offsetof(sluice_bot_desc, params) == 40);
    CHECK(offsetof(sluice_bot_desc, param_count) == 48);
    CHECK(offsetof(sluice_bot_desc, create) == 56);
    CHECK(offsetof(sluice_bot_desc, process) == 64);
    CHECK(offsetof(sluice_bot_desc, collect) == 72);
    CHECK(offsetof(sluice_bot_desc, flush) == 80);
    CHECK(offsetof(sluice_bot_desc, on_durable) == 88);
    CHECK(offsetof(sluice_bot_desc, destroy) == 96);
    CHECK(offsetof(sluice_bot_desc, paths) == 104);  // since 1.1
    CHECK(sizeof(sluice_bot_desc) == 112);
}

TEST_CASE("sluice_param_def and sluice_str keep their 1.0 layout") {
    CHECK(offsetof(sluice_param_def, name) == 0);
    CHECK(offsetof(sluice_param_def, type) == 8);
    CHECK(offsetof(sluice_param_def, required) == 12);
    CHECK(offsetof(sluice_param_def, default_value) == 16);
    CHECK(offsetof(sluice_param_def, help) == 24);
    CHECK(sizeof(sluice_param_def) == 32);
    CHECK(offsetof(sluice_str, ptr) == 0);
    CHECK(offsetof(sluice_str, len) == 8);
    CHECK(sizeof(sluice_str) == 16);
}

TEST_CASE("sluice_host_api keeps its 1.0 function order") {
    CHECK(offsetof(sluice_host_api, struct_size) == 0);
    CHECK(offsetof(sluice_host_api, abi_major) == 8);
    CHECK(offsetof(sluice_host_api, abi_minor) == 10);
    CHECK(offsetof(sluice_host_api, log) == 16);
    CHECK(offsetof(sluice_host_api, set_error) == 24);
    CHECK(offsetof(sluice_host_api, param_get) == 32);
    CHECK(offsetof(sluice_host_api, param_list_size) == 40);
    CHECK(offsetof(sluice_host_api, param_list_item) == 48);
    CHECK(offsetof(sluice_host_api, msg_type) == 56);
    CHECK(offsetof(sluice_host_api, new_event) == 64);
    CHECK(offsetof(sluice_host_api, new_report) == 72);
    CHECK(offsetof(sluice_host_api, field_get) == 80);
    CHECK(offsetof(sluice_host_api, field_set) == 88);
    CHECK(offsetof(sluice_host_api, field_remove) == 96);
    CHECK(offsetof(sluice_host_api, field_count) == 104);
    CHECK(offsetof(sluice_host_api, field_at) == 112);
    CHECK(offsetof(sluice_host_api, msg_json) == 120);
    CHECK(offsetof(sluice_host_api, emit) == 128);
    CHECK(offsetof(sluice_host_api, fail_record) == 136);
    CHECK(offsetof(sluice_host_api, counter_add) == 144);
    CHECK(offsetof(sluice_host_api, should_stop) == 152);
    CHECK(offsetof(sluice_host_api, field_error) == 160);
    CHECK(offsetof(sluice_host_api, msg_discard) == 168);
    CHECK(offsetof(sluice_host_api, msg_hash) == 176);
    CHECK(sizeof(sluice_host_api) == 184);
}

TEST_CASE("the numeric values of the ABI enums never change") {
    CHECK(SLUICE_ABI_MAJOR == 1);
    CHECK(SLUICE_OK == 0);
    CHECK(SLUICE_RETRY == 1);
    CHECK(SLUICE_REJECT == 2);
    CHECK(SLUICE_FATAL == 3);
    CHECK(SLUICE_KIND_COLLECTOR == 1);
    CHECK(SLUICE_KIND_OUTPUT == 4);
    CHECK(SLUICE_PARAM_STRING == 1);
    CHECK(SLUICE_PARAM_JSON == 6);
    CHECK(SLUICE_FIELD_INVALID == 4);
    CHECK(SLUICE_SET_OVERWRITE == 1u);
    CHECK(SLUICE_SET_JSON == 2u);
    CHECK(SLUICE_MSG_REPORT == 1);
    CHECK(SLUICE_MSG_EVENT == 2);
    CHECK(SLUICE_HASH_BLACKLIST == 0u);
    CHECK(SLUICE_HASH_WHITELIST == 1u);
}
