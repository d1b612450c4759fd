"""Administrative boundaries, spatial joins and region crosswalks."""
