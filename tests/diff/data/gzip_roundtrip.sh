# gzip -c | gunzip -c through a shell pipeline (dynamically linked gzip, run by the shell).
PATH=/usr/bin:/bin
data=$1
gzip -9nc < "$data" | gunzip -c | cmp - "$data" && echo "round trip identical"
gzip -9nc < "$data" | wc -c
gzip -9nc < "$data" | gunzip -c | sha256sum
seq 1 100000 | gzip -1nc | gunzip -c | tail -n 1
gzip -9nc < "$data" | gzip -t && echo "gzip -t: ok"
printf 'not gzip data' | gunzip -c > /dev/null 2>&1; echo "gunzip of garbage: $?"
