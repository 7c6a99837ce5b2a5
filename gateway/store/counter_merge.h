// The RocksDB merge operator of the "odr_counters" column family: a value is an encoded
// odr::Counters map and a merge operand an encoded delta; merging adds them entry by entry
// (odr::MergeEncoded). Addition is associative and commutative, so RocksDB may combine operands
// in any grouping (partial merges in memtables and compactions) and a read sees the sum of every
// delta written. Private to gateway/store.
#pragma once

#include <memory>

namespace rocksdb {
class MergeOperator;
}

namespace csgw::gateway::store_db {

// A new operator; RocksDB takes shared ownership through ColumnFamilyOptions::merge_operator.
std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator();

}  // namespace csgw::gateway::store_db
