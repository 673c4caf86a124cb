# The Debian package: `cpack -G DEB` in a build directory configured with
# -DCMAKE_INSTALL_PREFIX=/usr. It holds the binary, the plugins, the SDK (headers, CMake package,
# guide and examples in /usr/share/doc/tickets-grouping-sdk), the systemd unit in /lib/systemd/system, the examples in
# /usr/share/doc/tickets-grouping/examples and the documentation. Its postinst creates the
# `tickets-grouping` system user and /etc/tickets-grouping; nothing is enabled or started.

# The service's files. With the /usr prefix they go where Debian wants them (/lib/systemd/system;
# GNUInstallDirs already maps the sysconfdir to /etc); any other prefix keeps them under it, so
# that `cmake --install build --prefix DIR` never writes outside DIR.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(TG_SYSTEMD_UNIT_DIR /lib/systemd/system)
else()
  set(TG_SYSTEMD_UNIT_DIR lib/systemd/system)
endif()
set(TG_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/tickets-grouping)

install(FILES ${PROJECT_SOURCE_DIR}/etc/tickets-grouping.service DESTINATION ${TG_SYSTEMD_UNIT_DIR}
  COMPONENT service)
install(FILES
  ${PROJECT_SOURCE_DIR}/etc/env.example
  ${PROJECT_SOURCE_DIR}/etc/routes.yaml
  ${PROJECT_SOURCE_DIR}/etc/alertmanager.yml
  ${PROJECT_SOURCE_DIR}/etc/prometheus-rules.yml
  DESTINATION ${TG_DOC_DIR}/examples COMPONENT service)
foreach(doc README.md README.ja.md)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${doc})
    install(FILES ${PROJECT_SOURCE_DIR}/${doc} DESTINATION ${TG_DOC_DIR} COMPONENT service)
  endif()
endforeach()
if(EXISTS ${PROJECT_SOURCE_DIR}/docs)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${TG_DOC_DIR} COMPONENT service
    FILES_MATCHING PATTERN "*.md")
endif()
# The sink authors' guide and examples are the sdk component's (share/doc/tickets-grouping-sdk).
install(FILES ${PROJECT_SOURCE_DIR}/plugins/redmine_grouping/README.md DESTINATION ${TG_DOC_DIR}
  RENAME redmine_grouping.md COMPONENT service)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tickets-grouping)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "tickets-grouping maintainers <tickets-grouping@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Alertmanager webhook router that makes grouped Redmine tickets")
set(CPACK_PACKAGE_DESCRIPTION
  "tickets-grouping receives Prometheus Alertmanager webhooks, spools them durably and routes\n\
every alert to sink plugins. The redmine_grouping sink opens one Redmine ticket per alert and\n\
host, groups hosts under a Root ticket, and notes recurrences and resolutions.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/")
# Shared libraries from dpkg-shlibdeps (Poco, yaml-cpp, Boost, date, RE2's libre2-9); adduser
# for the postinst; tzdata for hook schedules and times in tickets.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
# nlohmann-json3-dev: the SDK's C++ headers read JSON with it (building sinks, not running them).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus-alertmanager, redmine, nlohmann-json3-dev")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/cmake/debian/postinst
  ${PROJECT_SOURCE_DIR}/cmake/debian/prerm
  ${PROJECT_SOURCE_DIR}/cmake/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# One package with every component (service, sdk, the unnamed default).
set(CPACK_DEB_COMPONENT_INSTALL OFF)
# The binary has the install paths compiled in: refuse to package a build for another prefix.
set(TG_PACKAGE_PREFIX "${CMAKE_INSTALL_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/check-prefix.cmake.in
  ${CMAKE_BINARY_DIR}/tg-check-prefix.cmake @ONLY)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_BINARY_DIR}/tg-check-prefix.cmake)
include(CPack)
