vtguard_add_test(NAME certs_cli_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/certs_cli_test.cpp
  LIBS vtguard_pki vtguard_pki_test_util)
add_dependencies(certs_cli_test vtguard)
