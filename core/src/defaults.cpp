// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/defaults.hpp"

#include <cstdlib>

namespace sluice {

std::filesystem::path default_harmonization_file() {
    if (const char* env = std::getenv("SLUICE_HARMONIZATION"); env && *env) return env;
    return SLUICE_DEFAULT_HARMONIZATION;
}

}  // namespace sluice
