"""The pages of the graph for people: the home page (search, table, map, timeline), a page
for every resource, the query page, rendered by the server (kg serve) or written as files
(kg site). Serving itself lives in kg.publishing."""
