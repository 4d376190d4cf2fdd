#!/usr/bin/env bash
# Regenerates the demo PBX's Mandarin prompts (8 kHz mono 16-bit WAV, what Asterisk plays
# without transcoding) with espeak-ng's Mandarin voice and sox, both from Debian's packages:
#   apt-get install espeak-ng sox
# The WAV files are committed; run this only to change a prompt's words.
set -euo pipefail
cd "$(dirname "$0")"
say() { # say OUT TEXT
  local tmp; tmp=$(mktemp --suffix=.wav)
  espeak-ng -v cmn -s 175 -w "$tmp" "$2"
  mkdir -p "$(dirname "$1")"
  sox "$tmp" -r 8000 -c 1 -b 16 "$1" norm -3
  rm -f "$tmp"
}
say zh/ccinspect/complaint-prompt.wav "投诉受理。请在提示音后留言，按任意键结束。"
say zh/ccinspect/complaint-ticket.wav "工单号是"
say zh/ccinspect/complaint-thanks.wav "十五日内答复。谢谢。"
say zh/ccinspect/complaint-failed.wav "抱歉，登记失败，请稍后再拨。"
digits=(零 一 二 三 四 五 六 七 八 九)
for i in "${!digits[@]}"; do say "zh/digits/$i.wav" "${digits[$i]}"; done
