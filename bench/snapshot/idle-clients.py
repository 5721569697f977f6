"""Holds N idle client connections to a Redis server, each named with CLIENT SETNAME, until stdin closes.
Prints "ready N" once every connection got its +OK. Used by bench/snapshot/run."""
import resource
import socket
import sys

port, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 64)), hard))
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"CLIENT SETNAME idle-%d\r\n" % i)
    conns.append(s)
for s in conns:
    if s.recv(16) != b"+OK\r\n":
        sys.exit("CLIENT SETNAME failed")
print("ready", n, flush=True)
sys.stdin.read()
