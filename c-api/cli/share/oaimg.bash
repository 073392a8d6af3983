# bash completion for oaimg. Options and model names come from oaimg itself (its per-command
# --help and `oaimg models`), so this file never falls behind the program.
_oaimg() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cword=$COMP_CWORD
    words=("${COMP_WORDS[@]}")
  }
  local commands="generate edit variation extend models help"
  if [ "$cword" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  local command=${words[1]}
  case $prev in
    -m|--model)
      COMPREPLY=($(compgen -W "$(oaimg models 2>/dev/null | awk 'NR > 1 && /^[a-z]/ {print $1}')" -- "$cur"))
      return ;;
    -i|--image|--mask|--selection|--reference|--markup)
      COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null
      return ;;
    -o|--out-dir)
      COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null
      return ;;
    --aspect) COMPREPLY=($(compgen -W "16:9 3:2 4:3 1:1 3:4 2:3 9:16" -- "$cur")); return ;;
    --context) COMPREPLY=($(compgen -W "auto selection image" -- "$cur")); return ;;
    -q|--quality) COMPREPLY=($(compgen -W "auto low medium high xhigh max standard hd" -- "$cur")); return ;;
    --complexity) COMPREPLY=($(compgen -W "low medium high" -- "$cur")); return ;;
    --background) COMPREPLY=($(compgen -W "auto opaque transparent" -- "$cur")); return ;;
    --output-format) COMPREPLY=($(compgen -W "png jpeg webp" -- "$cur")); return ;;
    --moderation) COMPREPLY=($(compgen -W "auto low" -- "$cur")); return ;;
    --input-fidelity) COMPREPLY=($(compgen -W "high low" -- "$cur")); return ;;
    --style) COMPREPLY=($(compgen -W "vivid natural" -- "$cur")); return ;;
    --response-format) COMPREPLY=($(compgen -W "url b64_json" -- "$cur")); return ;;
    -p|--prompt|-n|--n|-s|--size|-t|--timeout|--max-retries|--stream|--output-compression|--user|--safety-identifier|--left|--top|--right|--bottom)
      return ;;
  esac
  if [ "$command" = help ]; then
    COMPREPLY=($(compgen -W "generate edit variation extend models" -- "$cur"))
    return
  fi
  local options
  options=$(oaimg "$command" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
  COMPREPLY=($(compgen -W "$options" -- "$cur"))
}
complete -F _oaimg oaimg
