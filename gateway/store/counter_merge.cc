#include "gateway/store/counter_merge.h"

#include <rocksdb/merge_operator.h>

#include <deque>
#include <string>

#include "base/log.h"
#include "odr/counters.h"

namespace csgw::gateway::store_db {
namespace {

// Addition, with every operand of a run summed in one pass (odr::EncodedCounterSum) rather than
// pairwise: a read that meets many deltas decodes each once and encodes once.
class CounterMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    odr::EncodedCounterSum sum;
    if (in.existing_value != nullptr && !Add(sum, *in.existing_value)) return false;
    for (const rocksdb::Slice& operand : in.operand_list) {
      if (!Add(sum, operand)) return false;
    }
    out->new_value = sum.Encode();
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operands, std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    odr::EncodedCounterSum sum;
    for (const rocksdb::Slice& operand : operands) {
      if (!Add(sum, operand)) return false;
    }
    *new_value = sum.Encode();
    return true;
  }

  bool PartialMerge(const rocksdb::Slice& /*key*/, const rocksdb::Slice& left,
                    const rocksdb::Slice& right, std::string* new_value,
                    rocksdb::Logger* /*logger*/) const override {
    odr::EncodedCounterSum sum;
    if (!Add(sum, left) || !Add(sum, right)) return false;
    *new_value = sum.Encode();
    return true;
  }

  // Recorded in the database's OPTIONS file: keep it stable.
  const char* Name() const override { return "csgw.odr.CounterMerge.v1"; }

 private:
  // False makes RocksDB fail the read or compaction with Corruption: a counter that cannot be
  // decoded must not silently become zero.
  static bool Add(odr::EncodedCounterSum& sum, const rocksdb::Slice& bytes) {
    auto added = sum.Add(bytes.ToStringView());
    if (!added) log::Error("store.odr_counter_corrupt", {{"error", added.error().message}});
    return static_cast<bool>(added);
  }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator() {
  return std::make_shared<CounterMergeOperator>();
}

}  // namespace csgw::gateway::store_db
