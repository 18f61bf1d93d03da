# busybox sh: pipelines and loops (run as `busybox sh sh_pipelines.sh`; busybox runs its
# applets as children: a fork, and an exec of /proc/self/exe for the non-builtin ones).
for i in 1 2 3; do echo $i | tr 1 x; done
seq 1 100 | grep 7 | wc -l
echo "hello world" | tr a-z A-Z | rev
printf 'pear\napple\nfig\napple\n' | sort | uniq -c | sort -rn | head -n 2
yes pipe | head -n 3
i=0
while [ $i -lt 5 ]; do i=$((i + 1)); echo "loop $i"; done | tail -n 2
# 1 MiB-ish through four processes
seq 1 150000 | tr 0-9 a-j | md5sum
seq 1 20 | while read n; do [ $((n % 7)) -eq 0 ] && echo "multiple $n"; done
echo "a b c" | { read x y z; echo "$z $y $x"; }
seq 5 | sed -n '2,4p' | awk '{s += $1} END {print "sum of 2..4:", s}'
echo done
