#pragma once

// Opens the Storage a `--datastore` URL names:
//   sqlite://PATH          a SQLite database file; PATH is absolute
//   (sqlite:///var/lib/berth/state.db)
//                          or relative to the working directory (sqlite://data/state.db)
//   etcd://H1:2379,H2:2379 an etcd cluster (not in this build yet: kInvalidArgument)
// Anything else is kInvalidArgument naming the accepted schemes.

#include <string_view>

#include "base/error.h"
#include "store/storage.h"

namespace berth::store {

Result<StoragePtr> openStorage(std::string_view url);

}  // namespace berth::store
