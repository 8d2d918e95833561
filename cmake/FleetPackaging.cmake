# What `cmake --install build --prefix /usr` puts on a host, and the Debian package of the same
# files (`cpack --config build/CPackConfig.cmake -G DEB`):
#   bin/fleetd, bin/fleetctl                      lib/systemd/system/fleet.{service,socket}
#   share/bash-completion/completions/fleetctl    share/man/man{1,5,8}/*.gz (docs/man)
#   /etc/fleet/fleet.conf: every key commented out at its default (docs/man/fleet.conf.keys)
# fleetd reads /etc/fleet/fleet.conf whatever the prefix, so that path is absolute.
include(GNUInstallDirs)

set(fleet_docs_dir ${PROJECT_BINARY_DIR}/docs/man)

install(TARGETS fleetd fleetctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES dist/systemd/fleet.service dist/systemd/fleet.socket
  DESTINATION lib/systemd/system)
install(FILES dist/bash-completion/fleetctl
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${fleet_docs_dir}/fleetctl.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${fleet_docs_dir}/fleet.conf.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${fleet_docs_dir}/fleetd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
# An installed fleet.conf is the admin's: installing again must not put the defaults back over
# it (dpkg asks first for its conffiles; a plain `cmake --install` would not). The package is
# staged in an empty DESTDIR, so it always gets the file.
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}/etc/fleet/fleet.conf\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}/etc/fleet/fleet.conf (the defaults are in fleet.conf(5))\")
  else()
    file(INSTALL \"${fleet_docs_dir}/fleet.conf\" DESTINATION /etc/fleet)
  endif()")

set(CPACK_PACKAGE_NAME fleet)
set(CPACK_PACKAGE_VENDOR "fleet")
set(CPACK_PACKAGE_CONTACT "fleet maintainers <maintainers@users.noreply.r-seed-2e4f4068.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "distributed init system on etcd and systemd")
set(CPACK_PACKAGE_DESCRIPTION
  "fleet ties systemd and etcd together into a distributed init system: it schedules systemd
units onto the machines of a cluster, starts them through each machine's systemd, reports their
state and moves them when a machine dies. This is a re-implementation of CoreOS fleet,
API-compatible with fleet v1.

This package holds fleetd, the daemon every machine runs (fleet.service, fleet.socket), and
fleetctl, its command line. Neither unit is enabled or started on installation: set
etcd_servers in /etc/fleet/fleet.conf, then enable them.")
set(CPACK_GENERATOR DEB)
# The staging install honours absolute destinations (/etc/fleet) only through DESTDIR, and the
# prefix is then CPACK_INSTALL_PREFIX rather than the build tree's (/usr/local by default).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/coreos/fleet")
# Libraries through dpkg-shlibdeps; systemd because fleetd drives it and its units need it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "etcd-server, openssh-client")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/dist/deb/conffiles ${PROJECT_SOURCE_DIR}/dist/deb/postinst
  ${PROJECT_SOURCE_DIR}/dist/deb/prerm ${PROJECT_SOURCE_DIR}/dist/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
