#include "engine/history/memory_store.h"

#include <memory>

#include <gtest/gtest.h>

#include "tests/unit/history/execution_store_contract.h"

namespace mlflowctl::history::testing_contract {

template <>
struct StoreFactory<MemoryStore> {
  static std::unique_ptr<MemoryStore> Make(const TempDir&) {
    return std::make_unique<MemoryStore>();
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, ExecutionStoreContractTest, MemoryStore);

}  // namespace mlflowctl::history::testing_contract
