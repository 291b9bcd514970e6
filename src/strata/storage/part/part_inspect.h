#pragma once
// A human-readable report of a part's structure: meta, streams, blocks, and the bytes each column, the blooms,
// the block headers and the token index take (`strata admin inspect <part>`). Pure.

#include <string>

#include "strata/storage/part/part_reader.h"

namespace strata::storage {

std::string InspectPart(const PartReader& part, bool list_blocks = false);

}  // namespace strata::storage
