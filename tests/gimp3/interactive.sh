#!/bin/sh
# Runs inside the chroot: GIMP's GUI on a private Xvfb display, the test script as a batch
# command, and a bounded watcher that presses the dialog's "Send" (Alt+E) once the dialog shows.
#   interactive.sh SCRIPT DIALOG_TITLE
set -u
script=$1
title=$2
display=:$((90 + $$ % 100))
Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
export DISPLAY=$display
tries=0
until xdotool getmouselocation >/dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -gt 100 ] && { echo "Xvfb did not start"; exit 1; }
  sleep 0.1
done

gimp-3.0 -n --no-splash --batch-interpreter python-fu-eval -b "exec(open('$script').read())" \
  --quit &
gimp=$!

# At most 180 s for GIMP to start and the plug-in to open its dialog.
pressed=0
i=0
while [ $i -lt 360 ] && kill -0 $gimp 2>/dev/null; do
  win=$(xdotool search --onlyvisible --name "^$title\$" 2>/dev/null | head -n1)
  if [ -n "$win" ]; then
    # A moment for the preview and the widgets to settle before the key press.
    sleep 1
    xdotool windowfocus --sync "$win" key alt+e
    pressed=1
    echo "interactive: pressed Send in window $win"
    break
  fi
  sleep 0.5
  i=$((i + 1))
done
[ $pressed = 1 ] || echo "interactive: the dialog '$title' never showed"
wait $gimp
