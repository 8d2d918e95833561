# Helpers that give every component the same shape (modelled on abseil's absl_cc_library):
#   fleet_library(NAME x SRCS ... DEPS ...)   -> static library fleet_x, alias fleet::x
#   fleet_test(NAME x_test SRCS ... DEPS ... LABELS unit|etcd|systemd|cluster|faults|slow)
#   fleet_program(NAME fleetd SRCS ... DEPS ...) -> executable in ${CMAKE_BINARY_DIR}/bin
#
# Every fleet target compiles with the warnings of fleet_warnings and sees headers rooted at src/.

add_library(fleet_warnings INTERFACE)
target_compile_options(fleet_warnings INTERFACE -Wall -Wextra -Werror)

function(fleet_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(fleet_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(fleet::${ARG_NAME} ALIAS fleet_${ARG_NAME})
  target_include_directories(fleet_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(fleet_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE fleet_warnings)
endfunction()

# One ctest entry per test binary, so a suite can share one expensive fixture (a real etcd, a
# booted cluster) across its tests; `ctest -L <label>` selects a subset.
function(fleet_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(FLEET_FUZZ_ONLY)
    return()
  endif()
  if(NOT ARG_LABELS)
    message(FATAL_ERROR "fleet_test(${ARG_NAME}) needs LABELS")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main fleet_warnings)
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} --gtest_color=no)
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

function(fleet_program)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} fleet_warnings)
endfunction()
