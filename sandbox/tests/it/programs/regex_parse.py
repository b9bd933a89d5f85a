import re

log = """2024-01-05 ERROR disk full on /dev/sda1
2024-01-05 INFO started worker=3
2024-01-06 WARN slow request id=42 ms=1532
2024-01-07 ERROR timeout id=43"""

pattern = re.compile(r"^(\d{4}-\d{2}-\d{2}) (ERROR|WARN|INFO) (.*)$", re.M)
for date, level, msg in pattern.findall(log):
    print(date, level, len(msg))
print(re.sub(r"(\w+)=(\d+)", lambda m: f"{m.group(1).upper()}:{int(m.group(2)) * 2}", log.splitlines()[2]))
print(re.split(r"[,;]\s*", "a, b;c,d ;  e"))
print(bool(re.fullmatch(r"[a-z]+(?:-[a-z]+)*", "kebab-case-name")))
