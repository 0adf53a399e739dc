META
key;value
description;A worked example
country;Nowhere
unit;Example town
instance;2026
num_projects;4
num_votes;5
budget;100
vote_type;approval
rule;equalshares/add1
currency;EUR
date_begin;01.01.2026
date_end;31.01.2026
PROJECTS
project_id;cost;votes;name
1;60;3;Playground
2;30;2;Bike racks
3;40;2;Library corner
4;20;1;Bird houses
VOTES
voter_id;vote
1;1,2
2;1,2
3;1
4;3,4
5;3
