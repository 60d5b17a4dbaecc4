/// A trimmed `docker container inspect` of two real containers, captured from a Docker 20.10
/// engine: a Compose service with a health check, a published and an unpublished port and
/// Berth's labels, and a plain container that exited with status 3 and has no health check.
let inspectFixture = #"""
    [
      {
        "Id": "f36f688287412e92464907000538f7512b92095036b7e8cf91c1f750c66d5914",
        "Created": "2026-11-24T04:33:47.081935134Z",
        "Path": "httpd",
        "Args": [
          "-f",
          "-p",
          "8080",
          "-h",
          "/tmp"
        ],
        "State": {
          "Status": "running",
          "Running": true,
          "Paused": false,
          "Restarting": false,
          "OOMKilled": false,
          "Dead": false,
          "Pid": 18167,
          "ExitCode": 0,
          "Error": "",
          "StartedAt": "2026-11-24T04:33:47.636573603Z",
          "FinishedAt": "0001-01-01T00:00:00Z",
          "Health": {
            "Status": "healthy",
            "FailingStreak": 0,
            "Log": [
              {
                "Start": "2026-11-24T04:33:50.797361438Z",
                "End": "2026-11-24T04:33:50.869130828Z",
                "ExitCode": 0,
                "Output": "probe-output-marker\n"
              },
              {
                "Start": "2026-11-24T04:33:51.88194653Z",
                "End": "2026-11-24T04:33:51.975381932Z",
                "ExitCode": 0,
                "Output": "probe-output-marker last\n"
              }
            ]
          }
        },
        "Image": "sha256:9ef6a70d4272e2e3fdfd599aa44457908267a180f6005ae1927d80d03508ac3e",
        "Name": "/fixture-dev-web-1",
        "RestartCount": 0,
        "Config": {
          "Hostname": "f36f68828741",
          "User": "",
          "ExposedPorts": {
            "8080/tcp": {}
          },
          "Env": [
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
          ],
          "Cmd": [
            "httpd",
            "-f",
            "-p",
            "8080",
            "-h",
            "/tmp"
          ],
          "Image": "berth-test/busybox:1",
          "Labels": {
            "berth.config-hash": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "berth.environment": "dev",
            "berth.field-hashes": "command=aaaaaaaaaaaa,environment=bbbbbbbbbbbb,image=cccccccccccc",
            "berth.service": "web",
            "berth.stack": "fixture",
            "com.docker.compose.config-hash": "8b83d77a0b587bf31d3c893bb8be9f59fd65b4db961857590dc1cd386e34572b",
            "com.docker.compose.container-number": "1",
            "com.docker.compose.depends_on": "",
            "com.docker.compose.image": "sha256:9ef6a70d4272e2e3fdfd599aa44457908267a180f6005ae1927d80d03508ac3e",
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": "fixture-dev",
            "com.docker.compose.project.config_files": "/tmp/fx/compose.yaml",
            "com.docker.compose.project.working_dir": "/tmp/fx",
            "com.docker.compose.service": "web",
            "com.docker.compose.version": "2.40.3",
            "org.berth.test-image": "busybox"
          }
        },
        "NetworkSettings": {
          "Bridge": "",
          "SandboxID": "8d438500f77b5af58796b04871c0195e42646e46e6cf096ada67e06b9d23fbb7",
          "Ports": {
            "8080/tcp": [
              {
                "HostIp": "127.0.0.1",
                "HostPort": "18199"
              }
            ],
            "8081/tcp": null
          }
        }
      },
      {
        "Id": "bb05e4070468912ca56c0c7769ec5d1373e624f4ceffb46b88ad725d7e0f46b5",
        "Created": "2026-11-24T04:34:09.375831656Z",
        "Path": "sh",
        "Args": [
          "-c",
          "exit 3"
        ],
        "State": {
          "Status": "exited",
          "Running": false,
          "Paused": false,
          "Restarting": false,
          "OOMKilled": false,
          "Dead": false,
          "Pid": 0,
          "ExitCode": 3,
          "Error": "",
          "StartedAt": "2026-11-24T04:34:09.687781166Z",
          "FinishedAt": "2026-11-24T04:34:09.688634599Z"
        },
        "Image": "sha256:9ef6a70d4272e2e3fdfd599aa44457908267a180f6005ae1927d80d03508ac3e",
        "Name": "/fx-job",
        "RestartCount": 0,
        "Config": {
          "Hostname": "bb05e4070468",
          "User": "",
          "ExposedPorts": {
            "9000/tcp": {}
          },
          "Env": [
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
          ],
          "Cmd": [
            "sh",
            "-c",
            "exit 3"
          ],
          "Image": "berth-test/busybox:1",
          "Labels": {
            "berth.environment": "dev",
            "berth.service": "job",
            "berth.stack": "fixture",
            "org.berth.test-image": "busybox"
          }
        },
        "NetworkSettings": {
          "Bridge": "",
          "SandboxID": "cf596188d3a65d1c76e189c01428177990c1780c99f588be81e28074e480993b",
          "Ports": {}
        }
      }
    ]
    """#
