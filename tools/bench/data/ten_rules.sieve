# Ten rules for the expert_sieve stage of sluice-bench (tools/bench), in IntelMQ's sieve syntax,
# which expert_sieve reads unchanged. The rules test the fields of the bench feed (IP, FQDN, URL,
# classification, feed name) and drop nothing, so every event reaches the next stage.
if classification.type == 'phishing' { add extra.sieve_rule = 'phishing' }
if classification.type :in ['c2-server', 'malware-distribution'] { add extra.sieve_malware = true }
if source.ip << '11.0.0.0/8' { add extra.sieve_net = 'eleven' }
if source.ip << '192.168.0.0/16' { drop }
if source.fqdn =~ '.*\.test$' { add extra.sieve_tld = 'test' }
if source.fqdn :contains 'zzzz' { drop }
if source.url =~ '^https://' { add extra.sieve_tls = true }
if :exists destination.ip { drop }
if feed.name != 'Sluice bench feed' { drop }
if classification.type == 'scanner' && source.url :contains '/dl/' { update classification.type = 'malware-distribution' }
