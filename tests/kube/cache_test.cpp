// The informer's object cache: objects survive the compact encoding unchanged, and the
// namespace and label indexes answer the operator's queries.
#include "common/kube/cache.h"

#include <gtest/gtest.h>

#include "common/kube/base64.h"

namespace vtguard::kube {
namespace {

nlohmann::json Object(const std::string& ns, const std::string& name,
                      const nlohmann::json& labels) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"namespace", ns}, {"name", name}, {"labels", labels}}}};
}

TEST(ObjectCacheTest, ReturnsObjectsAsStored) {
  const std::vector<nlohmann::json> values = {
      nullptr,
      true,
      -7,
      42u,
      1.5,
      1e300,
      "",
      "ünïcödé \u2713",
      nlohmann::json::array({1, "two", nlohmann::json::object()}),
      {{"nested", {{"deeper", {1, 2, 3}}}}},
  };
  ObjectCache cache;
  for (size_t i = 0; i < values.size(); ++i) {
    nlohmann::json object = Object("ns", "o" + std::to_string(i), {{"k", "v"}});
    object["data"] = values[i];
    cache.Upsert(object);
    std::optional<nlohmann::json> cached = cache.Get("ns/o" + std::to_string(i));
    ASSERT_TRUE(cached.has_value()) << i;
    EXPECT_EQ(*cached, object) << i;
    EXPECT_EQ(cached->dump(), object.dump()) << i;
  }
}

TEST(ObjectCacheTest, SecretDataStoredAsBytes) {
  ObjectCache cache;
  nlohmann::json secret = Object("ns", "tls", {{"k", "v"}});
  std::string certificate;
  for (int i = 0; i < 3000; ++i) certificate += static_cast<char>(i * 7);
  secret["data"] = {{"tls.crt", Base64Encode(certificate)},
                    {"wrapped", "aGVsbG8g\nd29ybGQ="},
                    {"unpadded", "aGk"},
                    {"text", "not base64!"},
                    {"empty", ""},
                    {"number", 3}};
  cache.Upsert(secret);

  std::optional<nlohmann::json> cached = cache.Get("ns/tls");
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(*cached, secret);
  EXPECT_EQ(cache.List().at(0), secret);
  EXPECT_LT(cache.EncodedBytes(), nlohmann::json::to_cbor(secret).size() - 900);
}

TEST(ObjectCacheTest, UpsertReturnsPreviousVersion) {
  ObjectCache cache;
  nlohmann::json first = Object("ns", "a", {{"k", "1"}});
  EXPECT_FALSE(cache.Upsert(first).has_value());
  nlohmann::json second = Object("ns", "a", {{"k", "2"}});
  std::optional<nlohmann::json> previous = cache.Upsert(second);
  ASSERT_TRUE(previous.has_value());
  EXPECT_EQ(*previous, first);
  EXPECT_EQ(*cache.Get("ns/a"), second);
  EXPECT_TRUE(cache.ListByLabel("k", "1").empty());
  EXPECT_EQ(cache.ListByLabel("k", "2").size(), 1u);
}

TEST(ObjectCacheTest, UpsertReturnsPreviousMetadata) {
  ObjectCache cache;
  nlohmann::json first = Object("ns", "a", {{"k", "1"}, {"tier", "x=y"}});
  first["metadata"]["resourceVersion"] = "41";
  first["metadata"]["annotations"] = {{"note", "dropped"}};
  first["data"] = {{"ca.crt", std::string(4096, 'c')}};
  cache.Upsert(first);
  nlohmann::json second = Object("ns", "a", {{"k", "2"}});
  second["metadata"]["resourceVersion"] = "42";

  std::optional<nlohmann::json> previous = cache.Upsert(second, ObjectCache::Previous::kMetadata);

  ASSERT_TRUE(previous.has_value());
  const nlohmann::json expected = {{"metadata",
                                    {{"namespace", "ns"},
                                     {"name", "a"},
                                     {"resourceVersion", "41"},
                                     {"labels", {{"k", "1"}, {"tier", "x=y"}}}}}};
  EXPECT_EQ(*previous, expected);
  EXPECT_EQ(*cache.Get("ns/a"), second);
}

TEST(ObjectCacheTest, ResourceVersionWithoutDecoding) {
  ObjectCache cache;
  nlohmann::json object = Object("ns", "a", {{"k", "v"}});
  object["metadata"]["resourceVersion"] = "7";
  cache.Upsert(object);
  EXPECT_EQ(cache.ResourceVersion("ns/a"), std::optional<std::string>("7"));
  EXPECT_EQ(cache.ResourceVersion("ns/b"), std::nullopt);
}

TEST(ObjectCacheTest, EraseDropsObjectAndIndexes) {
  ObjectCache cache;
  cache.Upsert(Object("ns", "a", {{"k", "v"}}));
  EXPECT_TRUE(cache.Erase("ns/a"));
  EXPECT_FALSE(cache.Get("ns/a").has_value());
  EXPECT_TRUE(cache.ListByLabel("k", "v").empty());
  EXPECT_TRUE(cache.ListByNamespace("ns").empty());
  EXPECT_FALSE(cache.Erase("ns/a"));
}

TEST(ObjectCacheTest, RemoveDropsObjectAndIndexes) {
  ObjectCache cache;
  nlohmann::json object = Object("ns", "a", {{"k", "v"}});
  cache.Upsert(object);
  std::optional<nlohmann::json> removed = cache.Remove("ns/a");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(*removed, object);
  EXPECT_FALSE(cache.Remove("ns/a").has_value());
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.ListByNamespace("ns").empty());
  EXPECT_TRUE(cache.ListByLabel("k", "v").empty());
  EXPECT_TRUE(cache.SelectKeys("ns", {}).empty());
}

TEST(ObjectCacheTest, SelectMatchesNamespaceAndEveryLabel) {
  ObjectCache cache;
  cache.Upsert(Object("ns1", "a", {{"app", "x"}, {"tier", "1"}}));
  cache.Upsert(Object("ns1", "b", {{"app", "x"}, {"tier", "2"}}));
  cache.Upsert(Object("ns2", "c", {{"app", "x"}, {"tier", "1"}}));
  cache.Upsert(Object("ns2", "d", {{"app", "y"}}));

  struct Case {
    std::string ns;
    std::map<std::string, std::string> labels;
    std::vector<std::string> names;
  };
  const std::vector<Case> cases = {
      {"", {}, {"a", "b", "c", "d"}},
      {"ns1", {}, {"a", "b"}},
      {"", {{"app", "x"}}, {"a", "b", "c"}},
      {"", {{"app", "x"}, {"tier", "1"}}, {"a", "c"}},
      {"ns2", {{"app", "x"}, {"tier", "1"}}, {"c"}},
      {"ns1", {{"app", "y"}}, {}},
      {"", {{"missing", "label"}}, {}},
      {"ns3", {}, {}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> names;
    for (const nlohmann::json& object : cache.Select(c.ns, c.labels)) {
      names.push_back(object["metadata"]["name"]);
    }
    EXPECT_EQ(names, c.names) << "namespace \"" << c.ns << "\", " << c.labels.size() << " labels";
  }
}

TEST(ObjectCacheTest, SelectKeysMatchesSelect) {
  ObjectCache cache;
  cache.Upsert(Object("ns1", "a", {{"app", "x"}}));
  cache.Upsert(Object("ns2", "b", {{"app", "x"}}));
  cache.Upsert(Object("ns2", "c", {{"app", "y"}}));
  EXPECT_EQ(cache.SelectKeys("ns2", {}), (std::vector<std::string>{"ns2/b", "ns2/c"}));
  EXPECT_EQ(cache.SelectKeys("", {{"app", "x"}}), (std::vector<std::string>{"ns1/a", "ns2/b"}));
  EXPECT_EQ(cache.SelectKeys("", {}), (std::vector<std::string>{"ns1/a", "ns2/b", "ns2/c"}));
  EXPECT_TRUE(cache.SelectKeys("ns1", {{"app", "y"}}).empty());
}

TEST(ObjectCacheTest, EncodedSizeIsSmallerThanJsonText) {
  ObjectCache cache;
  nlohmann::json object = Object("ns", "a", {{"k", "v"}});
  // A ConfigMap, because the data of a Secret is stored as decoded bytes.
  object["kind"] = "ConfigMap";
  object["data"] = {{"tls.crt", std::string(1000, 'A')}, {"count", 123456}};
  cache.Upsert(object);
  EXPECT_GT(cache.EncodedBytes(), 1000u);
  EXPECT_LT(cache.EncodedBytes(), object.dump().size());
}

}  // namespace
}  // namespace vtguard::kube
