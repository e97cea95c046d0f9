#!/bin/sh
# evtdiag collector: gather this UNIX host's password-sync configuration, sanitised.
#
# Run as root:   sh collect-script.sh [-o OUTDIR] [/path/to/sso.conf]
# It writes OUTDIR/<hostname>.tar.gz (default OUTDIR: the current directory) holding
# <hostname>/sso.conf, passwd, shadow, login.defs, security/pwquality.conf,
# security/passwd, security/user (those that exist) and MANIFEST.
#
# Secrets never leave the host and are never written to disk: ENCRYPT_KEY values
# (global, and the key inside SYNC_HOSTS entries) become
# <redacted length=N classes=...>, and every password hash becomes a status/scheme
# token such as <active/sha512>, inside the awk pipeline that reads the real file.
# sso.conf is read as ssod is taken to read it (continued lines joined; UTF-8, latin-1
# or UTF-16 with a BOM); comments, the values of unknown keys and lines of no known
# form are dropped; a passwd or shadow line without its name or fields, and an AIX
# security/passwd line of no known form, is removed.
#
# Exits 1 when no sso.conf was found (the archive of the other files is still written:
# give sso.conf's path as the argument and run it again).
# EVTDIAG_ROOT=/path reads the files under /path instead of / (for tests);
# EVTDIAG_HOSTNAME overrides the host name.
set -u
umask 077
LC_ALL=C  # awk reads and writes bytes: printf "%c" must not encode
export LC_ALL

OUTDIR=.
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUTDIR=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
ROOT=${EVTDIAG_ROOT:-}
HOST=${EVTDIAG_HOSTNAME:-$(hostname 2>/dev/null || uname -n)}
HOST=$(printf '%s' "$HOST" | tr -c 'A-Za-z0-9._-' '_')

# Solaris' /usr/bin/awk is the old awk: prefer a POSIX one.
AWK=awk
for a in /usr/xpg4/bin/awk nawk; do
  if command -v "$a" >/dev/null 2>&1; then AWK=$a; break; fi
done

SSO=""
if [ $# -gt 0 ]; then
  SSO=$1
else
  for f in /etc/sso.conf /etc/opt/sso/sso.conf /usr/local/etc/sso.conf /opt/sso/sso.conf \
           /usr/local/sso/sso.conf /etc/sso/sso.conf /usr/lib/sso/sso.conf; do
    if [ -f "$ROOT$f" ]; then SSO=$f; break; fi
  done
fi

# mktemp is not POSIX (stock AIX lacks it): fall back to a private folder of our own.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/evtdiag.XXXXXX" 2>/dev/null) || {
  WORK=${TMPDIR:-/tmp}/evtdiag.$$
  mkdir -m 700 "$WORK" || exit 1
}
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
STAGE=$WORK/$HOST
mkdir -p "$STAGE/security" || exit 1

# Shared awk functions: classes() describes a key, token() a password field.
AWKLIB='
function classes(s,   i, c, u, l, d, p, out) {
  u = l = d = p = 0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c ~ /[A-Z]/) u = 1; else if (c ~ /[a-z]/) l = 1
    else if (c ~ /[0-9]/) d = 1; else p = 1
  }
  out = ""
  if (d) out = out ",digit"
  if (l) out = out ",lower"
  if (p) out = out ",punct"
  if (u) out = out ",upper"
  return substr(out, 2)
}
function redact(s) { return "<redacted length=" length(s) " classes=" classes(s) ">" }
function scheme(h) {
  if (h ~ /^\$1\$/) return "md5"
  if (h ~ /^\$5\$/) return "sha256"
  if (h ~ /^\$6\$/) return "sha512"
  if (h ~ /^\$2[abxy]\$/) return "bcrypt"
  if (h ~ /^\$y\$/) return "yescrypt"
  if (h ~ /^\$gy\$/) return "gost-yescrypt"
  if (h ~ /^\$7\$/) return "scrypt"
  if (h ~ /^\$sha1\$/) return "sha1"
  if (h ~ /^\$md5\$/) return "sun-md5"
  if (h ~ /^\{[A-Za-z0-9_.-]+\}/) { sub(/\}.*/, "", h); return tolower(substr(h, 2)) }
  if (length(h) == 13 && h ~ /^[.\/0-9A-Za-z]+$/) return "des"
  return "unknown"
}
function token(h,   r) {
  if (h ~ /^<[a-z-]+\/[a-z0-9-]+>$/) return h
  if (h == "") return "<no-password/none>"
  if (h == "!" || h == "!!" || h == "*LK*") return "<locked/none>"
  if (h ~ /^\*LK\*/) { r = substr(h, 5); return "<locked/" scheme(r) ">" }
  if (h ~ /^!/) { r = h; sub(/^!+/, "", r); return "<locked/" (r == "" ? "none" : scheme(r)) ">" }
  if (h ~ /^\*/) return "<never-set/none>"
  return "<active/" scheme(h) ">"
}
'

# Keys sso.conf may set whose values hold no secret: copied with comments removed. Any
# other KEY=value line keeps its name and has its value redacted (a misspelled
# ENCRYPT_KEY must not carry the key out). Kept equal to evtdiag's KNOWN_KEYS by a test.
# (Two assignments: some awks refuse a newline in a -v value.)
PLAIN_KEYS="SYNC_USERS PORT_NUMBER FILE_PATH USE_SHADOW CASE_IGNORE_NAME TEMP_FILE_PATH"
PLAIN_KEYS="$PLAIN_KEYS SYNC_RETRIES SYNC_DELAY USE_NIS NIS_UPDATE_PATH IGNORE_PROPAGATION_ERRORS"

decode_text() {  # decode_text FILE: UTF-8 text with LF line ends, whatever the encoding
  # od turns every byte into a number, so no awk sees a NUL (busybox awk would cut the
  # line there) and UTF-16 (with a BOM) can be decoded in awk alone. A UTF-8 BOM is
  # dropped; other bytes pass as they are; CR LF and a lone CR end a line, as in
  # evtdiag; NUL and unpaired surrogates become byte 1, so the line is dropped as binary.
  od -A n -t u1 -v "$1" | "$AWK" '
  function emit(c) {
    if (c == 13) { printf "\n"; cr = 1; return }
    if (c == 10 && cr) { cr = 0; return }
    cr = 0
    if (c == 0) c = 1
    if (c < 128 || mode == "bytes") printf "%c", c
    else if (c < 2048) printf "%c%c", 192 + int(c / 64), 128 + c % 64
    else if (c < 65536) printf "%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64
    else printf "%c%c%c%c", 240 + int(c / 262144), 128 + int(c / 4096) % 64,
      128 + int(c / 64) % 64, 128 + c % 64
  }
  function unit(u) {
    if (u >= 55296 && u < 56320) { if (high) emit(1); high = u; return }
    if (u >= 56320 && u < 57344) {
      if (high) emit(65536 + (high - 55296) * 1024 + (u - 56320)); else emit(1)
      high = 0; return
    }
    if (high) emit(1)
    high = 0; emit(u)
  }
  NR == 1 {
    mode = "bytes"; first = 1
    if ($1 == 255 && $2 == 254) { mode = "le"; first = 3 }
    else if ($1 == 254 && $2 == 255) { mode = "be"; first = 3 }
    else if ($1 == 239 && $2 == 187 && $3 == 191) first = 4
  }
  {
    for (i = (NR == 1 ? first : 1); i <= NF; i++) {
      if (mode == "bytes") { emit($i + 0); continue }
      if (odd == "") { odd = $i + 0; continue }
      unit(mode == "le" ? odd + 256 * $i : 256 * odd + $i); odd = ""
    }
  }
  END { if (high) emit(1) }'
}

sanitize_sso() {
  # Lines are read as ssod is taken to read them [INF]: a trailing backslash continues a
  # line on the next (not a comment line); the joined line is written where it started
  # and an empty line for each line it took, so line numbers stay those of the host.
  # Comments are dropped ("#" is kept): one may name an old key.
  decode_text "$1" | "$AWK" -v plain="$PLAIN_KEYS" "$AWKLIB"'
  BEGIN { n = split(plain, names, " "); for (i = 1; i <= n; i++) known[names[i]] = 1 }
  {
    if (joined == "" && taken == 0 && $0 ~ /^[ \t]*#/) { print "#"; next }
    if ($0 ~ /\\[ \t]*$/) { part = $0; sub(/\\[ \t]*$/, "", part); joined = joined part; taken++; next }
    line = joined $0; extra = taken; joined = ""; taken = 0
    sanitize(line)
    for (; extra > 0; extra--) print ""
  }
  END { if (taken) { sanitize(joined); for (taken--; taken > 0; taken--) print "" } }
  function sanitize(line,   up, name, v, prefix) {
    up = toupper(line)
    if (line ~ /[\001-\010\013\014\016-\037\177]/) {
      print "# evtdiag: a line holding binary data was removed"; return
    }
    if (line ~ /^[ \t]*$/) { print ""; return }
    if (up ~ /ENCRYPT_KEY/) {
      if (up ~ /^[ \t]*ENCRYPT_KEY[ \t]*=/) {
        v = line; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
        if (v ~ /^<redacted length=[0-9]+ classes=[a-z,]*>$/) print "ENCRYPT_KEY=" v
        else print "ENCRYPT_KEY=" redact(v)
      } else print "# evtdiag: a line mentioning ENCRYPT_KEY was removed"
      return
    }
    if (line !~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/) {
      print "# evtdiag: a line not in the KEY=value form was removed"; return
    }
    v = line; sub(/^[^=]*=/, "", v); prefix = substr(line, 1, length(line) - length(v))
    name = prefix; sub(/^[ \t]*/, "", name); sub(/[ \t]*=$/, "", name); name = toupper(name)
    if (name == "SYNC_HOSTS") { print prefix sync_hosts(v); return }
    if (!(name in known)) {
      sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); print prefix redact(v); return
    }
    if (sub(/[ \t]#.*/, "", v)) v = v " #"
    print prefix v
  }
  function sync_hosts(v,   out, rest, ok, end, pos, after, inner, host, remain, port, key, e, tail,
                      comment) {
    # Entries are (host [port [key]]); a key may hold parentheses, so an entry ends at
    # the ")" followed by blanks and the next "(", or by the end of the value; a "#"
    # after the last ")" starts a comment. Anything else is replaced whole: it may hold
    # a key.
    tail = v; sub(/.*\)/, "", tail)
    if (tail ~ /[ \t]#/) { v = substr(v, 1, length(v) - length(tail)); comment = " #" }
    else comment = ""
    sub(/[ \t]+$/, "", v)
    out = ""; rest = v; ok = 1
    while (ok) {
      sub(/^[ \t]+/, "", rest)
      if (rest == "") break
      if (substr(rest, 1, 1) != "(") { ok = 0; break }
      end = 0
      for (pos = 2; pos <= length(rest); pos++) {
        if (substr(rest, pos, 1) != ")") continue
        after = substr(rest, pos + 1)
        if (after ~ /^[ \t]*$/ || after ~ /^[ \t]+\(/) { end = pos; break }
      }
      if (!end) { ok = 0; break }
      inner = substr(rest, 2, end - 2); rest = substr(rest, end + 1)
      sub(/^[ \t]+/, "", inner)
      host = inner; sub(/[ \t].*$/, "", host)
      remain = substr(inner, length(host) + 1); sub(/^[ \t]+/, "", remain)
      port = remain; sub(/[ \t].*$/, "", port)
      key = substr(remain, length(port) + 1); sub(/^[ \t]+/, "", key); sub(/[ \t]+$/, "", key)
      if (host !~ /^[A-Za-z0-9._-]+$/) { ok = 0; break }  # "dc1,6677,KEY": not a host
      e = host
      if (port != "" && port ~ /^[0-9]+$/) e = e " " port
      else if (port != "") key = (key == "" ? port : port " " key)
      if (key ~ /^<redacted length=[0-9]+ classes=[a-z,]*>$/) e = e " " key
      else if (key != "") e = e " " redact(key)
      out = out (out == "" ? "" : " ") "(" e ")"
    }
    if (ok) return out comment
    return "<redacted: not in the (host [port [key]]) form>"
  }'
}

sanitize_colon() {  # sanitize_colon FIELDS FILE: passwd/shadow; field 2 becomes a token
  # Only a line with exactly FIELDS fields and an account name first is kept ("x" stays):
  # with a ":" or the name missing, a hash sits in another field ("abCDefGHijKLm:19000:
  # ..." has the DES hash where the name should be), so the line is removed.
  "$AWK" -F: -v OFS=: -v fields="$1" "$AWKLIB"'
  { sub(/\r$/, "")
    if ($0 ~ /^[ \t]*$/ || $0 ~ /^[ \t]*#/) { print ""; next }
    if ($1 ~ /^[+-]/) {  # NIS include: only its first field is of use
      if ($1 ~ /^[+-][@A-Za-z0-9._-]*$/) print $1; else print "# evtdiag: a line was removed"
      next
    }
    if ($1 == "" || $1 ~ /[ \t]/ || $1 ~ /\$./) {  # "bad $6$salt$hash": the hash is in field 1
      print "# evtdiag: a line whose first field is not an account name was removed"; next
    }
    if (NF != fields) {
      print "# evtdiag: a line with " NF " fields instead of " fields " was removed"; next
    }
    if ($2 != "x") $2 = token($2)
    print }' "$2"
}
sanitize_passwd() { sanitize_colon 7 "$1"; }
sanitize_shadow() { sanitize_colon 9 "$1"; }

sanitize_aix() {  # AIX security/passwd: headers, password (a token), lastupdate, flags
  # Only the forms this file has are kept: "name:" headers (a name holding "$" or a
  # blank may have a hash glued to it), "password = value" (a token), lastupdate and
  # flags. Anything else, a comment or a line a hash may have slid onto, is removed.
  "$AWK" "$AWKLIB"'
  { sub(/\r$/, "") }
  /^[ \t]*$/ { print ""; next }
  /^[^ \t*#=][^=]*:[ \t]*$/ {
    name = $0; sub(/:[ \t]*$/, "", name)
    if (name ~ /[ \t]/ || name ~ /\$./) print "* evtdiag: a stanza header that is not an account name was removed"
    else print name ":"
    next
  }
  /^[ \t]+[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd][ \t]*=/ {
    v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
    if (v ~ /^".*"$/) v = substr(v, 2, length(v) - 2)
    print "\tpassword = " token(v); next
  }
  /^[ \t]+(lastupdate|flags)[ \t]*=[ \t]*[A-Za-z0-9_, \t"]*$/ { print; next }
  { print "* evtdiag: a line of no known form was removed" }' "$1"
}

MANIFEST=$STAGE/MANIFEST
{
  echo "evtdiag collector manifest"
  echo "host: $HOST"
  echo "date: $(date -u '+%Y-%m-%dT%H:%M:%SZ' 2>/dev/null)"
  echo "system: $(uname -srm 2>/dev/null)"
  echo "root: ${ROOT:-/}"
  echo "sso.conf: ${SSO:-not found}"
} > "$MANIFEST"

add() {  # add NAME SOURCE FILTER
  if [ -n "$2" ] && [ -f "$ROOT$2" ]; then
    if [ -r "$ROOT$2" ] && $3 "$ROOT$2" > "$STAGE/$1"; then
      echo "file $1: present from $2 ($(wc -l < "$STAGE/$1" | tr -d ' ') lines)" >> "$MANIFEST"
    else
      rm -f "$STAGE/$1"
      echo "file $1: unreadable at $2" >> "$MANIFEST"
    fi
  else
    echo "file $1: absent${2:+ (looked at $2)}" >> "$MANIFEST"
  fi
}

add sso.conf "$SSO" sanitize_sso
add passwd /etc/passwd sanitize_passwd
add shadow /etc/shadow sanitize_shadow
add login.defs /etc/login.defs cat
add security/pwquality.conf /etc/security/pwquality.conf cat
add security/passwd /etc/security/passwd sanitize_aix
add security/user /etc/security/user cat

OUT=$OUTDIR/$HOST.tar.gz
# tar to a file first: in a pipe, only gzip's status would be seen.
if (cd "$WORK" && tar cf "$WORK/pack.tar" "$HOST") && gzip -c "$WORK/pack.tar" > "$OUT.part" \
    && mv "$OUT.part" "$OUT"; then
  echo "wrote $OUT"
  if [ ! -f "$STAGE/sso.conf" ]; then
    echo "no sso.conf collected (${SSO:-none found at the usual places}): evtdiag cannot check" \
      "this host's SYNC_USERS, key and port; run again with sso.conf's path as the argument" >&2
    exit 1
  fi
else
  rm -f "$OUT.part"
  echo "failed to write $OUT" >&2
  exit 1
fi
