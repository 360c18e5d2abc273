#include "store/sqlite_storage.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>

#include "unit/store/store_test_util.h"

namespace berth::store {
namespace {

class SqliteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = openSqliteStorage(file());
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = *opened;
  }

  std::filesystem::path file() const { return dir_.path() / "sub" / "state.db"; }

  TempDir dir_;
  StoragePtr store_;
};

TEST_F(SqliteStorageTest, EmptyStoreIsAtRevisionZero) {
  EXPECT_EQ(store_->revision(), 0);
  EXPECT_EQ(store_->compactedRevision(), 0);
  EXPECT_TRUE(files::exists(file()));  // parent directories created
  auto listed = store_->list("");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->items.empty());
  EXPECT_EQ(listed->revision, 0);
  EXPECT_FALSE(listed->more);
}

TEST_F(SqliteStorageTest, CreateGetUpdateRemove) {
  ASSERT_EQ(*store_->create("/pods/a", "v1"), 1);
  EXPECT_EQ(*store_->get("/pods/a"), (KeyValue{"/pods/a", "v1", 1, 1}));

  auto again = store_->create("/pods/a", "v2");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->revision(), 1);  // a failed write does not advance the revision

  ASSERT_EQ(*store_->create("/pods/b", "b1"), 2);
  ASSERT_EQ(*store_->update("/pods/a", "v2", 0), 3);
  EXPECT_EQ(*store_->get("/pods/a"), (KeyValue{"/pods/a", "v2", 1, 3}));  // createRevision kept
  ASSERT_EQ(*store_->update("/pods/a", "v3", 3), 4);
  EXPECT_EQ(*store_->get("/pods/a"), (KeyValue{"/pods/a", "v3", 1, 4}));

  auto stale = store_->update("/pods/a", "v4", 3);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(store_->get("/pods/a")->value, "v3");  // the failed update changed nothing

  auto missing = store_->update("/pods/zz", "x", 0);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);

  auto staleRemove = store_->remove("/pods/a", 1);
  ASSERT_FALSE(staleRemove);
  EXPECT_EQ(staleRemove.error().code(), ErrorCode::kConflict);

  auto removed = store_->remove("/pods/a", 4);
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(*removed, (KeyValue{"/pods/a", "v3", 1, 5}));
  EXPECT_EQ(store_->get("/pods/a").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->remove("/pods/a", 0).error().code(), ErrorCode::kNotFound);

  // Re-created: a new createRevision.
  ASSERT_EQ(*store_->create("/pods/a", "new"), 6);
  EXPECT_EQ(*store_->get("/pods/a"), (KeyValue{"/pods/a", "new", 6, 6}));
  auto removedAny = store_->remove("/pods/b", 0);
  ASSERT_TRUE(removedAny);
  EXPECT_EQ(*removedAny, (KeyValue{"/pods/b", "b1", 2, 7}));
  EXPECT_EQ(store_->revision(), 7);
}

TEST_F(SqliteStorageTest, RejectsBadArguments) {
  EXPECT_EQ(store_->create("", "x").error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->create("k", "x"));
  EXPECT_EQ(store_->update("k", "y", -1).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->list("", "", -1).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->watch("", -1, [](const std::vector<Event>&) {}).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->revision(), 1);
}

TEST_F(SqliteStorageTest, ListPrefixStartKeyLimit) {
  for (auto key : {"/a/1", "/a/2", "/a/3", "/a/4", "/ab", "/b/1", "/a"}) {
    ASSERT_TRUE(store_->create(key, std::string("v") + key));
  }
  auto all = store_->list("");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 7u);
  EXPECT_EQ(all->items.front().key, "/a");
  EXPECT_EQ(all->items.back().key, "/b/1");
  EXPECT_EQ(all->revision, 7);

  auto prefixed = store_->list("/a/");
  ASSERT_TRUE(prefixed);
  std::vector<std::string> keys;
  for (const auto& kv : prefixed->items) {
    keys.push_back(kv.key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"/a/1", "/a/2", "/a/3", "/a/4"}));
  EXPECT_EQ(prefixed->items[1], (KeyValue{"/a/2", "v/a/2", 2, 2}));
  EXPECT_FALSE(prefixed->more);

  auto page1 = store_->list("/a/", "", 2);
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[1].key, "/a/2");
  EXPECT_TRUE(page1->more);
  // The next page starts just after the last key ("\0" is the smallest successor).
  auto page2 = store_->list("/a/", page1->items[1].key + std::string(1, '\0'), 2);
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->items.size(), 2u);
  EXPECT_EQ(page2->items[0].key, "/a/3");
  EXPECT_EQ(page2->items[1].key, "/a/4");
  EXPECT_FALSE(page2->more);  // exactly `limit` left: not more

  auto fromKey = store_->list("/a/", "/a/3");
  ASSERT_TRUE(fromKey);
  EXPECT_EQ(fromKey->items.size(), 2u);
  // A start key before the prefix starts at the prefix; one after it lists nothing.
  EXPECT_EQ(store_->list("/a/", "/")->items.size(), 4u);
  EXPECT_TRUE(store_->list("/a/", "/b")->items.empty());
  EXPECT_TRUE(store_->list("/zzz")->items.empty());

  ASSERT_TRUE(store_->update("/b/1", "x", 0));
  EXPECT_EQ(store_->list("/b/")->revision, 8);
}

TEST_F(SqliteStorageTest, SpecialKeysAndBinaryValues) {
  const std::string binary("\0\x01\xff\xfe value\n'\"", 14);
  const std::vector<std::string> keys = {"/ns/with space",
                                         "/ns/quote'\"",
                                         "/ns/percent%_*",
                                         "/ns/ünïcødé",
                                         std::string("/ns/nul\0x", 9),
                                         "/ns/\xff\xff",
                                         "/ns/\xff",
                                         "/ns0"};
  for (const auto& key : keys) {
    ASSERT_TRUE(store_->create(key, binary + key)) << key;
  }
  for (const auto& key : keys) {
    auto got = store_->get(key);
    ASSERT_TRUE(got) << key;
    EXPECT_EQ(got->key, key);
    EXPECT_EQ(got->value, binary + key);
  }
  // A key differing only after a NUL is a different key.
  EXPECT_EQ(store_->get(std::string("/ns/nul\0y", 9)).error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->create("/empty", ""));
  EXPECT_EQ(store_->get("/empty")->value, "");

  // Bytewise order, prefix scans with 0xff bytes.
  auto listed = store_->list("/ns/");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 7u);
  for (size_t i = 1; i < listed->items.size(); ++i) {
    EXPECT_LT(listed->items[i - 1].key, listed->items[i].key);
  }
  EXPECT_EQ(listed->items.back().key, "/ns/\xff\xff");
  auto ff = store_->list("/ns/\xff");
  ASSERT_TRUE(ff);
  ASSERT_EQ(ff->items.size(), 2u);
  EXPECT_EQ(ff->items[0].key, "/ns/\xff");
}

TEST_F(SqliteStorageTest, CompactKeepsValuesAndValidatesRevision) {
  ASSERT_TRUE(store_->create("a", "1"));
  ASSERT_TRUE(store_->update("a", "2", 0));
  ASSERT_TRUE(store_->create("b", "1"));
  EXPECT_EQ(store_->compact(4).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->compact(-1).error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->compact(2));
  EXPECT_EQ(store_->compactedRevision(), 2);
  ASSERT_TRUE(store_->compact(1));  // below: a no-op, never goes back
  EXPECT_EQ(store_->compactedRevision(), 2);
  EXPECT_EQ(*store_->get("a"), (KeyValue{"a", "2", 1, 2}));
  EXPECT_EQ(store_->list("")->items.size(), 2u);
  EXPECT_EQ(store_->revision(), 3);
  ASSERT_TRUE(store_->compact(3));  // the current revision is allowed
  EXPECT_EQ(store_->compactedRevision(), 3);
}

TEST_F(SqliteStorageTest, ReopenKeepsDataAndRevisions) {
  ASSERT_TRUE(store_->create("a", "1"));
  ASSERT_TRUE(store_->create("b", "1"));
  ASSERT_TRUE(store_->update("a", "2", 1));
  ASSERT_TRUE(store_->remove("b", 0));
  ASSERT_TRUE(store_->compact(2));
  store_.reset();

  auto reopened = openSqliteStorage(file());
  ASSERT_TRUE(reopened) << reopened.error().message();
  auto& store = *reopened;
  EXPECT_EQ(store->revision(), 4);
  EXPECT_EQ(store->compactedRevision(), 2);
  EXPECT_EQ(*store->get("a"), (KeyValue{"a", "2", 1, 3}));
  EXPECT_EQ(store->get("b").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*store->create("c", "1"), 5);
  // History after the compacted revision survives the reopen.
  EventSink sink;
  auto watch = store->watch("", 3, sink.callback());
  ASSERT_TRUE(watch);
  auto events = sink.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kv, (KeyValue{"a", "2", 1, 3}));
  EXPECT_EQ(events[1].type, EventType::kDelete);
  EXPECT_EQ(events[2].kv.key, "c");
  EXPECT_EQ(store->watch("", 2, sink.callback()).error().code(), ErrorCode::kGone);
}

TEST_F(SqliteStorageTest, ConcurrentWritersAreAllAckedWithUniqueRevisions) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  EventSink sink;
  auto watch = store_->watch("/c/", 0, sink.callback());
  ASSERT_TRUE(watch);

  std::vector<std::vector<std::pair<std::string, int64_t>>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto key = fmt::format("/c/{}/{}", t, i);
        auto rev = store_->create(key, key);
        if (rev) {
          acked[t].emplace_back(key, *rev);
        }
        if (i % 5 == 0) {  // interleave updates and reads
          auto got = store_->get(key);
          if (got) {
            auto updated = store_->update(key, key + "+", got->modRevision);
            if (updated) {
              acked[t].emplace_back(key + "+", *updated);
            }
          }
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  std::set<int64_t> revisions;
  size_t writes = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (const auto& [key, rev] : acked[t]) {
      EXPECT_TRUE(revisions.insert(rev).second) << "revision " << rev << " acked twice";
      ++writes;
    }
  }
  constexpr size_t kExpected = kThreads * (kPerThread + kPerThread / 5);
  EXPECT_EQ(writes, kExpected);  // nobody else writes these keys: every write succeeds
  EXPECT_EQ(store_->revision(), static_cast<int64_t>(kExpected));
  EXPECT_EQ(*revisions.begin(), 1);
  EXPECT_EQ(*revisions.rbegin(), static_cast<int64_t>(kExpected));

  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      auto key = fmt::format("/c/{}/{}", t, i);
      auto got = store_->get(key);
      ASSERT_TRUE(got) << key;
      EXPECT_EQ(got->value, i % 5 == 0 ? key + "+" : key);
    }
  }

  // The watch saw every write once, in revision order (delivered before each write returned).
  auto events = sink.events();
  ASSERT_EQ(events.size(), kExpected);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].kv.modRevision, static_cast<int64_t>(i + 1));
  }
}

TEST(SqliteStorageOpenTest, RejectsForeignAndFutureDatabases) {
  TempDir dir;
  ASSERT_TRUE(files::writeAtomic(dir.path() / "garbage.db", std::string(8192, 'x')));
  auto garbage = openSqliteStorage(dir.path() / "garbage.db");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::kDataLoss) << garbage.error().message();

  auto future = dir.path() / "future.db";
  ASSERT_TRUE(openSqliteStorage(future));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(future.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto opened = openSqliteStorage(future);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(opened.error().message().find("schema version 99"), std::string::npos)
      << opened.error().message();

  auto foreign = dir.path() / "foreign.db";
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto foreignOpened = openSqliteStorage(foreign);
  ASSERT_FALSE(foreignOpened);
  EXPECT_EQ(foreignOpened.error().code(), ErrorCode::kInvalidArgument);
}

TEST(SqliteStorageOpenTest, UsesWalJournal) {
  TempDir dir;
  auto file = dir.path() / "state.db";
  auto store = openSqliteStorage(file);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->create("k", "v"));
  EXPECT_TRUE(files::exists(dir.path() / "state.db-wal"));  // journal_mode=WAL is persistent
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace berth::store
