// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

namespace sluice::shadowserver {

// The text of IntelMQ's schema.json.test.
extern const char* const kTestSchema;

}  // namespace sluice::shadowserver
