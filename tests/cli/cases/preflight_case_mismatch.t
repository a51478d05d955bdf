=== args
preflight
--listing
@DATA@/preflight/nearmiss.jsonl
gs://bkt/scans/A/*.dcm
=== stdout
error[nothing-matched]: gs://bkt/scans/A/*.dcm matches no object; 3 objects under 'scans/A/' do not match it
info[case-mismatch]: 3 objects would match if case were ignored: matching is case-sensitive
    'scans/A/IM-0001.DCM'
    'scans/A/IM-0002.DCM'
    'scans/A/IM-0003.Dcm'
  hint: gs://bkt/scans/A/*.DCM
preflight: 1 error, 0 warnings, 1 info; 0 objects matched, 3 nearby examined
=== stderr
=== exit
1
