#!/bin/sh
# Runs inside the chroot: GIMP's GUI on a private Xvfb display with the test script as a batch
# command, and a bounded watcher playing the user: for each step "TITLE|KEYS[|FILE]" it waits for
# a new visible window whose whole title matches the regex TITLE, types FILE's text if given,
# then presses KEYS; a step "@PATH" waits for the test script to create PATH. Before the keys of
# step N it leaves the window's geometry in $OAIMG_E2E_DIR/geometry-N and the screen in
# shot-N.xwd there (Xvfb's frame buffer file), for the checks and the documentation. With
# OAIMG_E2E_GIMP2 set the GUI is GIMP 2.10 and SCRIPT a Script-Fu command (tests/gimp2).
#   interactive.sh SCRIPT STEP...
set -u
script=$1
shift
# Xvfb picks a free display itself and writes its number to fd 3: a number chosen here could be
# one a parallel case's Xvfb already holds, and both GIMPs would then share one screen.
number=$(mktemp)
fb=$(mktemp -d)
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -fbdir "$fb" 3>"$number" >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$number" "$fb"' EXIT
out=${OAIMG_E2E_DIR:-/tmp}
n=0
tries=0
until [ -s "$number" ] && DISPLAY=":$(cat "$number")" xdotool getmouselocation >/dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -gt 100 ] && { echo "interactive: Xvfb did not start"; exit 1; }
  sleep 0.1
done
export DISPLAY=":$(cat "$number")"

if [ -n "${OAIMG_E2E_GIMP2:-}" ]; then
  # GIMP 2.10 (tests/gimp2): SCRIPT is the Script-Fu batch command itself.
  gimp-2.10 -n -d -f -s -b "$script" -b '(gimp-quit 0)' &
else
  gimp-3.0 -n --no-splash --batch-interpreter python-fu-eval -b "exec(open('$script').read())" \
    --quit &
fi
gimp=$!

last=""
for step in "$@"; do
  case $step in
    !*)
      # "!NAME[|KEYS]": the screen as it is now, as shot-NAME.xwd (a menu the last keys opened),
      # then KEYS pressed (into that menu).
      sleep 2
      name=${step#!}
      cp "$fb/Xvfb_screen0" "$out/shot-${name%%|*}.xwd" 2>/dev/null
      if [ "$name" != "${name%%|*}" ]; then
        for key in ${name#*|}; do xdotool key "$key"; done
        echo "interactive: ${name#*|} after shot-${name%%|*}"
      fi
      continue ;;
    @*)
      i=0
      while [ $i -lt 360 ] && [ ! -e "${step#@}" ] && kill -0 $gimp 2>/dev/null; do
        sleep 0.5; i=$((i + 1))
      done
      last=""
      continue ;;
  esac
  title=${step%%|*}
  rest=${step#*|}
  keys=${rest%%|*}
  file=""
  [ "$rest" != "$keys" ] && file=${rest#*|}
  # The previous step's window must be gone first: X recycles window ids across clients, so the
  # next plug-in process's dialog can carry the same id as the last one had.
  i=0
  while [ -n "$last" ] && [ $i -lt 240 ] && kill -0 $gimp 2>/dev/null &&
        xdotool search --onlyvisible --name '.*' 2>/dev/null | grep -qx "$last"; do
    sleep 0.25; i=$((i + 1))
  done
  done_step=0
  i=0
  # At most 180 s for each window to show (GIMP's first start included).
  while [ $i -lt 360 ] && kill -0 $gimp 2>/dev/null; do
    win=$(xdotool search --onlyvisible --name "^$title\$" 2>/dev/null | head -n1)
    if [ -n "$win" ]; then
      sleep 1  # the widgets and the preview settle before the keys
      xdotool windowfocus --sync "$win"
      [ -n "$file" ] && xdotool type --delay 5 --file "$file"
      n=$((n + 1))
      sleep 0.5  # the typed text and the preview it triggers are drawn
      xdotool getwindowgeometry --shell "$win" >"$out/geometry-$n" 2>/dev/null
      cp "$fb/Xvfb_screen0" "$out/shot-$n.xwd" 2>/dev/null
      # Several keys separated by spaces; "pause" waits 3 s (a button pressed by its mnemonic
      # fires only after GTK's short activation delay, and the work it starts takes a moment).
      for key in $keys; do
        if [ "$key" = pause ]; then sleep 3; else xdotool key "$key"; fi
      done
      echo "interactive: $keys in '$title' ($win)"
      last=$win
      done_step=1
      break
    fi
    sleep 0.5
    i=$((i + 1))
  done
  [ $done_step = 1 ] || { echo "interactive: the window '$title' never showed"; break; }
done
wait $gimp
