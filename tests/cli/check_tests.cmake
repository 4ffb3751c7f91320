vtguard_add_test(NAME cli_check_inject_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/check_inject_test.cpp ${CMAKE_CURRENT_LIST_DIR}/wrong_types_test.cpp
  LIBS vtguard_cli)
add_dependencies(cli_check_inject_test vtguard)
