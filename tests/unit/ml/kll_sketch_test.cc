#include "steps/ml/kll_sketch.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "steps/ml/dataset.h"

namespace mlflowctl::ml {
namespace {

using Levels = std::vector<std::vector<double>>;

KllSketch Sketch(const std::vector<double>& items, int k = 2048) {
  KllSketch s(k);
  for (double x : items) s.Update(x);
  return s;
}

TEST(KllSketchTest, KeepsItemsInArrivalOrderBelowCapacity) {
  KllSketch s = Sketch({3, 1, 2});
  EXPECT_EQ(s.levels(), (Levels{{3, 1, 2}}));
  EXPECT_EQ(s.TotalWeight(), 3u);
  EXPECT_EQ(s.ToJson(), Json::parse(R"({"parameters": {"c": 0.64, "k": 2048.0},
                                        "data": [[3.0, 1.0, 2.0]]})"));
}

TEST(KllSketchTest, CompactsLikeDeequWithTheOddLastItemLeftBehind) {
  // k = 4: capacity(h) = 2 * (ceil(4 * 0.64^h / 2) + 1) = 6, 6, 4, ...
  // The 7th item overflows level 0 (7 > 6): the first six, sorted
  // [1,2,3,4,5,7], give up the even positions (offset 0) and the unsorted
  // last item (6) stays behind.
  KllSketch s = Sketch({5, 1, 4, 2, 7, 3, 6}, 4);
  EXPECT_EQ(s.levels(), (Levels{{6}, {1, 3, 5}}));
  EXPECT_EQ(s.TotalWeight(), 7u);  // 6 weighs 1, the promoted items 2 each
  EXPECT_EQ(s.Rank(3), 4u);
  EXPECT_EQ(s.RankExclusive(3), 2u);
  EXPECT_EQ(s.Rank(6), 7u);
}

TEST(KllSketchTest, FlipsTheOffsetOnTheSecondCompaction) {
  // 1..7 -> L0 [7], L1 [1,3,5]; capacity total 12. Items 8..16 fill L0 to
  // [7..16]; the 16th item makes 13 > 12, the second compaction of L0 uses
  // offset 1 and promotes [8,10,12,14,16].
  std::vector<double> items;
  for (int i = 1; i <= 16; ++i) items.push_back(i);
  KllSketch s = Sketch(items, 4);
  EXPECT_EQ(s.levels(), (Levels{{}, {1, 3, 5, 8, 10, 12, 14, 16}}));
  EXPECT_EQ(s.TotalWeight(), 16u);
  EXPECT_EQ(s.Rank(10), 10u);
  EXPECT_EQ(s.RankMap().front(), (std::pair<double, uint64_t>{1, 2}));
  EXPECT_EQ(s.RankMap().back(), (std::pair<double, uint64_t>{16, 16}));
}

TEST(KllSketchTest, IsDeterministicAndAccurateOnManyItems) {
  SplitMix64 rng(7);
  std::vector<double> items;
  for (int i = 0; i < 100000; ++i) items.push_back(static_cast<double>(rng.Below(1000000)));
  KllSketch a = Sketch(items);
  KllSketch b = Sketch(items);
  EXPECT_EQ(a.levels(), b.levels());
  EXPECT_GT(a.levels().size(), 1u);
  // Compaction keeps the total weight within one item per level.
  EXPECT_NEAR(static_cast<double>(a.TotalWeight()), 100000.0, 64.0);
  std::vector<double> q = a.Quantiles(4);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_NEAR(q[0], 250000, 10000);
  EXPECT_NEAR(q[1], 500000, 10000);
  EXPECT_NEAR(q[2], 750000, 10000);
}

TEST(KllSketchTest, QuantilesOfASmallSketchAreExact) {
  KllSketch s = Sketch({4, 2, 3, 1});
  // total 4: thresholds 1, 2, 3 -> the item after each threshold is reached
  EXPECT_EQ(s.Quantiles(4), (std::vector<double>{2, 3, 4}));
  EXPECT_TRUE(KllSketch().Quantiles(4).empty());
}

TEST(KllSketchTest, MergeAddsTheItemsOfBothSketches) {
  KllSketch a = Sketch({1, 2, 3}, 4);
  KllSketch b = Sketch({4, 5, 6, 7}, 4);
  a.Merge(b);
  // 7 items >= capacity 6: one compaction of [1..6] (sorted), 7 stays.
  EXPECT_EQ(a.levels(), (Levels{{7}, {1, 3, 5}}));
  EXPECT_EQ(a.TotalWeight(), 7u);
}

TEST(KllSketchTest, RoundTripsThroughJson) {
  KllSketch s = Sketch({5, 1, 4, 2, 7, 3, 6}, 4);
  StatusOr<KllSketch> back = KllSketch::FromJson(s.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->levels(), s.levels());
  EXPECT_EQ(back->sketch_size(), 4);
  EXPECT_DOUBLE_EQ(back->shrinking_factor(), 0.64);
  EXPECT_EQ(back->Rank(3), 4u);
}

TEST(KllSketchTest, RejectsMalformedSketchJson) {
  EXPECT_FALSE(KllSketch::FromJson(Json::parse(R"({"data": [[1]]})")).ok());
  EXPECT_FALSE(KllSketch::FromJson(Json::parse(R"({"parameters": {}, "data": [1]})")).ok());
  EXPECT_FALSE(KllSketch::FromJson(Json::parse(R"({"parameters": {"c": 2}, "data": [[1]]})")).ok());
  EXPECT_FALSE(KllSketch::FromJson(Json::parse(R"({"parameters": {}, "data": [["x"]]})")).ok());
}

TEST(KllSketchTest, BucketsAreTenEqualWidthRangesWithTheLastOneClosed) {
  KllSketch s = Sketch({0, 0, 0, 1, 2, 10});
  Json kll = s.DistributionJson(0, 10);
  ASSERT_EQ(kll["buckets"].size(), 10u);
  std::vector<uint64_t> counts;
  for (const Json& b : kll["buckets"]) counts.push_back(b["count"].get<uint64_t>());
  EXPECT_EQ(counts, (std::vector<uint64_t>{3, 1, 1, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(kll["buckets"][3], Json::parse(R"({"lower_bound": 3.0, "upper_bound": 4.0,
                                                "count": 0})"));
  EXPECT_EQ(kll["sketch"], s.ToJson());
}

TEST(KllSketchTest, BucketsOfAConstantColumnPutEverythingInTheLast) {
  KllSketch s = Sketch({5, 5, 5});
  Json kll = s.DistributionJson(5, 5);
  EXPECT_EQ(kll["buckets"][0]["count"], 0);
  EXPECT_EQ(kll["buckets"][9]["count"], 3);
}

// Golden values from Deequ's KLLDistanceTest (mlops-formats.md §a).
TEST(DistanceTest, KllDistanceMatchesDeequGoldenValues) {
  KllSketch a = Sketch({1, 2, 3, 4}, 4);
  KllSketch b = Sketch({2, 3, 4, 5}, 4);
  EXPECT_DOUBLE_EQ(KllDistance(a, b, /*robust=*/false), 0.25);
  EXPECT_DOUBLE_EQ(KllDistance(a, b, /*robust=*/true), 0.0);
  EXPECT_DOUBLE_EQ(KllDistance(b, a, /*robust=*/false), 0.25);
}

TEST(DistanceTest, KllDistanceOfIdenticalSamplesIsZeroAndOfDisjointOnesIsOne) {
  KllSketch a = Sketch({1, 2, 3});
  EXPECT_EQ(KllDistance(a, a, false), 0.0);
  KllSketch far = Sketch({10, 11, 12});
  EXPECT_EQ(KllDistance(a, far, false), 1.0);
  // robust: 1 - 1.8 * sqrt(6 / 9)
  EXPECT_DOUBLE_EQ(KllDistance(a, far, true), std::max(0.0, 1 - 1.8 * std::sqrt(6.0 / 9.0)));
  EXPECT_EQ(KllDistance(a, KllSketch(), false), 0.0);
}

TEST(DistanceTest, KllDistanceUsesTheWeightsOfCompactedItems) {
  // Levels {{6}, {1,3,5}}: CDF at 1 = 2/7, at 3 = 4/7, at 5 = 6/7, at 6 = 1.
  KllSketch compacted = Sketch({5, 1, 4, 2, 7, 3, 6}, 4);
  KllSketch uniform = Sketch({1, 2, 3, 4, 5, 6, 7});
  // Against the exact 1..7: at 1: 2/7 vs 1/7; 3: 4/7 vs 3/7; 5: 6/7 vs 5/7.
  EXPECT_DOUBLE_EQ(KllDistance(compacted, uniform, false), 1.0 / 7.0);
}

TEST(DistanceTest, RobustCorrectionUsesAlphaWhenGiven) {
  // c(alpha) = sqrt(-ln(alpha / 2) / 2)
  double c = std::sqrt(-std::log(0.05) / 2);
  EXPECT_DOUBLE_EQ(RobustLinf(0.5, 100, 100, 0.1), 0.5 - c * std::sqrt(200.0 / 10000.0));
  EXPECT_DOUBLE_EQ(RobustLinf(0.5, 100, 100, std::nullopt), 0.5 - 1.8 * std::sqrt(0.02));
  EXPECT_EQ(RobustLinf(0.01, 100, 100, std::nullopt), 0.0);
}

// Golden vectors of Deequ's Distance (mlops-formats.md §a).
TEST(DistanceTest, CategoricalDistanceMatchesDeequGoldenValues) {
  std::map<std::string, double> a{{"a", 10}, {"b", 20}, {"c", 25}, {"d", 10}, {"e", 5}};
  std::map<std::string, double> b{{"a", 11}, {"b", 20}, {"c", 25}, {"d", 10}, {"e", 10}};
  EXPECT_DOUBLE_EQ(CategoricalLinfDistance(a, b, false), 0.06015037593984962);
  EXPECT_DOUBLE_EQ(CategoricalLinfDistance(a, b, true), 0.0);
  std::map<std::string, double> f{{"f", 11}, {"a", 20}, {"c", 25}, {"d", 10}, {"e", 10}};
  EXPECT_DOUBLE_EQ(CategoricalLinfDistance(a, f, false), 0.2857142857142857);
  std::map<std::string, double> x{{"a", 207}, {"b", 20}, {"c", 25},
                                  {"d", 14},  {"e", 25}, {"g", 13}};
  std::map<std::string, double> y{{"a", 22}, {"b", 20}, {"c", 25}, {"d", 12}, {"e", 13}, {"f", 15}};
  EXPECT_DOUBLE_EQ(CategoricalLinfDistance(x, y, true, 0.003), 0.2726338046550349);
  EXPECT_DOUBLE_EQ(CategoricalLinfDistance(x, y, true, 0.1), 0.33774199396969184);
}

TEST(DistanceTest, ChiSquaredMatchesHandComputedValues) {
  // 2 categories, both expected >= 10: chi2 = 25/15 + 25/15, 1 degree of
  // freedom: p = erfc(sqrt(chi2 / 2)).
  std::map<std::string, double> s{{"a", 10}, {"b", 20}};
  std::map<std::string, double> e{{"a", 15}, {"b", 15}};
  EXPECT_DOUBLE_EQ(CategoricalChiSquared(s, e, true), 50.0 / 15.0);
  EXPECT_NEAR(CategoricalChiSquared(s, e, false), 0.06788915486182903, 1e-12);
}

TEST(DistanceTest, ChiSquaredRegroupsSmallExpectedCategories) {
  // 4 categories: at most floor(0.2 * 4) = 0 may be below 5, so c (3) joins
  // the next smallest, d: expected {a:50, b:50, d:33}, sample {a:40, b:60,
  // d:33}; chi2 = 100/50 + 100/50 = 4 with 2 degrees of freedom: p = e^-2.
  std::map<std::string, double> s{{"a", 40}, {"b", 60}, {"c", 6}, {"d", 27}};
  std::map<std::string, double> e{{"a", 50}, {"b", 50}, {"c", 3}, {"d", 30}};
  EXPECT_DOUBLE_EQ(CategoricalChiSquared(s, e, true), 4.0);
  EXPECT_NEAR(CategoricalChiSquared(s, e, false), 0.1353352832366127, 1e-12);
  // Regrouping down to one category leaves nothing to test.
  std::map<std::string, double> s2{{"a", 90}, {"b", 5}, {"c", 10}};
  std::map<std::string, double> e2{{"a", 100}, {"b", 3}, {"c", 2}};
  EXPECT_TRUE(std::isnan(CategoricalChiSquared(s2, e2, false)));
}

}  // namespace
}  // namespace mlflowctl::ml
