#include "gateway/store/counter_merge.h"

#include <rocksdb/merge_operator.h>

#include "base/log.h"
#include "odr/counters.h"

namespace csgw::gateway::store_db {
namespace {

class CounterMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    auto merged = odr::MergeEncoded(
        existing_value == nullptr ? std::string_view() : existing_value->ToStringView(),
        value.ToStringView());
    if (!merged) {
      // Returning false makes RocksDB fail the read or compaction with Corruption: a counter
      // that cannot be decoded must not silently become zero.
      log::Error("store.odr_counter_corrupt", {{"error", merged.error().message}});
      return false;
    }
    *new_value = std::move(merged).value();
    return true;
  }

  // Recorded in the database's OPTIONS file: keep it stable.
  const char* Name() const override { return "csgw.odr.CounterMerge.v1"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator() {
  return std::make_shared<CounterMergeOperator>();
}

}  // namespace csgw::gateway::store_db
