#!/bin/sh
# MixMonitor's post command: merge the two legs into one stereo WAV, the customer on the left
# and the agent (or the IVR) on the right, written atomically, then drop the leg files.
#   ccb-stereo LEG_PREFIX FINAL_PATH caller-in|agent-in
leg=$1
final=$2
if [ "$3" = agent-in ]; then left="$leg-out.wav"; right="$leg-in.wav"
else left="$leg-in.wav"; right="$leg-out.wav"; fi
if [ -s "$left" ] && [ -s "$right" ]; then
    mkdir -p "$(dirname "$final")"
    sox -M "$left" "$right" -r 8000 "$leg-stereo.wav" && mv "$leg-stereo.wav" "$final"
fi
rm -f "$leg-in.wav" "$leg-out.wav" "$leg-mix.wav" "$leg-stereo.wav"
