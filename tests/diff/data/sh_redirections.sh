# busybox sh: redirections and descriptors, read, set/shift, case.
d=$(mktemp -d)
cd "$d" || exit 1
exec 3>fd3.txt
echo "written through fd 3" >&3
exec 3>&-
cat fd3.txt
echo "to stderr" 2>&1 >/dev/null | wc -c
( echo out; echo err >&2 ) 2>&1 | sort
echo first > f.txt
echo second >> f.txt
wc -l < f.txt
read line < f.txt; echo "read: $line"
printf '%s\n' a b c | while read x; do echo "[$x]"; done
exec 4<f.txt
read l1 <&4; read l2 <&4
exec 4<&-
echo "fd 4 gave: $l1 $l2"
set -- one two three
echo "$# args, second is $2"
shift; echo "after shift: $*"
for f in x.c y.h z.txt; do
  case "$f" in
    *.c) echo "$f: C source" ;;
    *.h) echo "$f: header" ;;
    *) echo "$f: other" ;;
  esac
done
ls | sort
cd / && rm -rf "$d"
echo done
