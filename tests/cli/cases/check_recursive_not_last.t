=== args
check
gs://my-bucket/dir/**/*.dcm
=== stdout
=== stderr
error[recursive-not-last] at byte 21: '**' must end the path: only a suffix without '/' may follow it
  gs://my-bucket/dir/**/*.dcm
                       ^^^^^^
  hint: gs://my-bucket/dir/**.dcm
=== exit
1
