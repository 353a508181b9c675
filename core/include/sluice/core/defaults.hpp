// SPDX-License-Identifier: AGPL-3.0-or-later
// Where Sluice finds its own files when the configuration does not say.
#pragma once

#include <filesystem>

namespace sluice {

// $SLUICE_HARMONIZATION, else the harmonization.toml of the source tree this was built from.
std::filesystem::path default_harmonization_file();

}  // namespace sluice
