"""What reaches the users of a build: the serving file BI tools read (publish), exports, audience
lists, the HTML report and the summaries the runner prints."""
