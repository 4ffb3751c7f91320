#include "webhook/json_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vtguard::webhook {
namespace {

using nlohmann::json;

std::string Write(const json& value) {
  std::string out;
  AppendJson(value, out);
  return out;
}

TEST(AppendJson, MatchesNlohmannDump) {
  const std::vector<json> cases = {
      json("plain ascii"),
      json(""),
      json("quote \" backslash \\ slash /"),
      json("controls \b\f\n\r\t \x01 \x1f and DEL \x7f"),
      json("UTF-8 caf\xc3\xa9 \xe2\x9c\x93"),
      json(nullptr),
      json(true),
      json(false),
      json(-42),
      json(18446744073709551615u),
      json(0.1),
      json::array(),
      json::object(),
      json::array({1, "two", nullptr, json::object({{"k", "v"}})}),
      json::parse(R"([{"op":"add","path":"/spec/cells/0/gateway/extraFlags/grpc-cert",)"
                  R"("value":"/vt/vtguard/tls/tls.crt"},{"op":"remove","path":"/a~1b"},)"
                  R"({"op":"add","path":"/x","value":{"b":[1,2.5,{"c":null}],"a":"\u00e9"}}])"),
  };
  for (const json& value : cases) {
    EXPECT_EQ(Write(value), value.dump()) << value.dump();
  }
}

TEST(AppendJson, RejectsInvalidUtf8LikeDump) {
  const json value = json::array({"ok", std::string("bad \xff byte")});
  std::string out;
  EXPECT_THROW(AppendJson(value, out), json::type_error);
}

TEST(AppendJsonString, ReplacesInvalidUtf8WhenAsked) {
  std::string out;
  AppendJsonString("bad \xff byte", out, json::error_handler_t::replace);
  EXPECT_EQ(out, "\"bad \xef\xbf\xbd byte\"");
}

}  // namespace
}  // namespace vtguard::webhook
