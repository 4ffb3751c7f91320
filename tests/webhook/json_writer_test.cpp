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

// The plain-string check reads eight bytes per step, so every special byte is tried at every
// position of a string longer than two steps.
TEST(AppendJsonString, FindsSpecialByteAtEveryPosition) {
  const std::vector<std::string> specials = {"\"",   "\\",       "\x01", "\x1f", "\n", "\x7f",
                                             "\x80", "\xc3\xa9", " ",    "~",    "/"};
  for (const std::string& special : specials) {
    for (std::size_t position = 0; position <= 20; ++position) {
      std::string text(20, 'a');
      text.insert(position, special);
      std::string out;
      AppendJsonString(text, out, json::error_handler_t::replace);
      EXPECT_EQ(out, json(text).dump(-1, ' ', false, json::error_handler_t::replace))
          << json(text).dump(-1, ' ', false, json::error_handler_t::replace);
    }
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
