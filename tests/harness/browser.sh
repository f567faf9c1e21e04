# browser.sh (sourced by report_check and test_report_check): sets
# $browser to headless Chromium (Debian package chromium), installing it
# when missing and run as root; empty when that cannot be done.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ] && [ "$(id -u)" -eq 0 ]; then
  echo "installing chromium (Debian package) for the browser test"
  (export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq chromium >/dev/null 2>&1 ||
     { apt-get update -qq && apt-get install -y -qq chromium >/dev/null 2>&1; })
  browser=$(command -v chromium || true)
fi
